"""The console adapter: lines in, bot messages out, pages written to files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from adapters.console import ConsoleChat, ConsoleMessenger
from adapters.console.messenger import slug
from paintcore.dialog import IncomingMessage, MessageKind
from paintcore.dialog.texts import CATALOGS
from paintcore.domain.errors import DeliveryFailed
from paintcore.domain.messages import Keyboard
from paintcore.domain.pages import ColoringPage
from paintcore.domain.users import Profile, UserId

PAGE = ColoringPage(
    title="Кот в шляпе!", png=b"png-bytes", pdf=b"%PDF-1.4", width=2480, height=3508, source="t"
)


def test_every_line_is_one_message_and_bad_bytes_are_flagged() -> None:
    got: list[IncomingMessage] = []
    stdin = io.BytesIO("/start\nкот в шляпе\r\n\n".encode() + b"\xff\xfe bad\n")
    handled = ConsoleChat(got.append, Profile(UserId(4)), stdin).run()

    assert handled == 4
    assert [(m.kind, m.text) for m in got] == [
        (MessageKind.TEXT, "/start"),
        (MessageKind.TEXT, "кот в шляпе"),
        (MessageKind.TEXT, ""),
        (MessageKind.UNREADABLE, None),
    ]
    assert all(m.chat_id == 4 and m.sender.id == 4 for m in got)
    assert [m.update_id for m in got] == [1, 2, 3, 4]


def test_quit_stops_reading() -> None:
    got: list[IncomingMessage] = []
    ConsoleChat(got.append, Profile(UserId(1)), io.BytesIO(b"/help\n/quit\n/start\n")).run()
    assert [m.text for m in got] == ["/help"]


def test_a_line_over_the_limit_is_answered_and_skipped_to_its_end() -> None:
    got: list[IncomingMessage] = []
    out = io.StringIO()
    stdin = io.BytesIO(b"/start\n" + b"x" * 50 + b"\n12345678\n" + b"y" * 9)
    chat = ConsoleChat(got.append, Profile(UserId(4)), stdin, out=out, max_line=8)

    assert chat.run() == 4
    assert [m.text for m in got] == ["/start", "12345678"]  # 8 bytes fit, the rest do not
    answer = "bot> " + CATALOGS["ru"]["line_too_long"]
    assert out.getvalue() == answer + "\n" + answer + "\n"


def test_a_page_whose_pdf_cannot_be_written_leaves_no_picture_behind(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    (pages / "кот-в-шляпе-1.pdf").mkdir(parents=True)  # the PDF cannot be written there
    with pytest.raises(DeliveryFailed, match="cannot write the page"):
        ConsoleMessenger(io.StringIO(), pages).send_page(1, PAGE, caption="x")
    assert sorted(p.name for p in pages.iterdir()) == ["кот-в-шляпе-1.pdf"]


def test_texts_and_menu_are_printed(tmp_path: Path) -> None:
    out = io.StringIO()
    ConsoleMessenger(out, tmp_path).send_text(
        1, "Привет\nвторая строка", keyboard=Keyboard((("A", "B"),))
    )
    assert out.getvalue() == "bot> Привет\n     вторая строка\n     [A]  [B]\n"


def test_pages_are_written_without_overwriting_and_their_paths_printed(tmp_path: Path) -> None:
    out = io.StringIO()
    messenger = ConsoleMessenger(out, tmp_path / "pages")
    messenger.send_page(1, PAGE, caption="Готово")
    messenger.send_page(1, PAGE, caption="Готово\nвторая строка")

    files = sorted(p.name for p in (tmp_path / "pages").iterdir())
    assert files == [
        "кот-в-шляпе-1.pdf",
        "кот-в-шляпе-1.png",
        "кот-в-шляпе-2.pdf",
        "кот-в-шляпе-2.png",
    ]
    assert (tmp_path / "pages" / "кот-в-шляпе-1.png").read_bytes() == b"png-bytes"
    assert str(tmp_path / "pages" / "кот-в-шляпе-2.pdf") in out.getvalue()
    assert "bot> Готово\n     вторая строка\n     picture: " in out.getvalue()


def test_an_unwritable_output_dir_is_a_delivery_failure(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DeliveryFailed, match="cannot write the page"):
        ConsoleMessenger(io.StringIO(), blocker / "pages").send_page(1, PAGE, caption="x")


@pytest.mark.parametrize(
    ("title", "expected"), [("../../etc/passwd", "etc-passwd"), ("???", "page"), ("A B", "a-b")]
)
def test_slugs_are_safe_file_names(title: str, expected: str) -> None:
    assert slug(title) == expected


def test_messages_from_workers_redraw_the_prompt_for_a_person_typing(tmp_path: Path) -> None:
    import threading

    out = io.StringIO()
    messenger = ConsoleMessenger(out, tmp_path, prompt="you> ")
    messenger.send_text(1, "from the handler")
    worker = threading.Thread(target=messenger.send_text, args=(1, "from a worker"))
    worker.start()
    worker.join()
    assert out.getvalue() == "bot> from the handler\n\rbot> from a worker\nyou> "
