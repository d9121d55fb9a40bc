"""The `paintbot` command end to end, as a user runs it: a subprocess on embedded defaults."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from PIL.PdfParser import PdfParser, decode_text

pytestmark = pytest.mark.slow

SCRIPT = "/start\nПолучить раскраску\nкот в шляпе\n"
_OURS = ("PAINTBOT_", "BOT_TOKEN", "OPENAI_", "MONGODB_URI", "REDIS_URL", "ADMIN_IDS")


@dataclass
class Run:
    code: int
    out: str
    err: str


def paintbot(
    tmp_path: Path, *args: str, stdin: bytes = b"", env: dict[str, str] | None = None
) -> Run:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    environment |= {
        "PAINTBOT_DB_PATH": str(tmp_path / "bot.sqlite3"),
        "PAINTBOT_OUTPUT_DIR": str(tmp_path / "pages"),
        "PAINTBOT_LOG_FORMAT": "json",
    }
    environment |= env or {}
    done = subprocess.run(
        [sys.executable, "-m", "entrypoints.cli", *args],
        input=stdin,
        capture_output=True,
        cwd=tmp_path,  # no stray .env from the developer's checkout
        env=environment,
        timeout=120,
        check=False,
    )
    return Run(
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
    )


def test_scripted_console_session_writes_a_page_and_exits_zero(tmp_path: Path) -> None:
    run = paintbot(tmp_path, "console", stdin=SCRIPT.encode())

    assert run.code == 0, run.err
    assert "Привет" in run.out and "Рисую «кот в шляпе»" in run.out
    assert "Осталось раскрасок: 9" in run.out
    assert "Нарисовал: морда кошки, цилиндр." in run.out  # the subject, offline, and says so
    png = Path(re.search(r"picture: (.+\.png)", run.out).group(1))  # type: ignore[union-attr]
    pdf = Path(re.search(r"PDF: (.+\.pdf)", run.out).group(1))  # type: ignore[union-attr]
    assert png.parent == (tmp_path / "pages").resolve()
    with Image.open(png) as image:
        assert image.size == (2480, 3508)
        assert set(np.unique(np.asarray(image.convert("L"))).tolist()) <= {0, 255}
    assert pdf.read_bytes().startswith(b"%PDF")


def test_credits_persist_between_runs(tmp_path: Path) -> None:
    assert paintbot(tmp_path, "console", stdin=SCRIPT.encode()).code == 0
    again = paintbot(tmp_path, "console", stdin=b"/start\n/balance\n")
    assert "С возвращением" in again.out
    assert "Бесплатных раскрасок: 9, купленных: 0, в работе: 0." in again.out


def test_bad_input_gets_clear_answers_and_costs_nothing(tmp_path: Path) -> None:
    lines = b"/start\n\xff\xfe\n/frobnicate\n\xd0\x9f\xd0\xbe\xd0\xbb\xd1\x83\xd1\x87\xd0\xb8\xd1\x82\xd1\x8c \xd1\x80\xd0\xb0\xd1\x81\xd0\xba\xd1\x80\xd0\xb0\xd1\x81\xd0\xba\xd1\x83\n"
    lines += b"\n   \n" + ("я" * 5000).encode() + b"\n/balance\n"
    run = paintbot(tmp_path, "console", stdin=lines)

    assert run.code == 0, run.err
    assert "неизвестная кодировка" in run.out
    assert "Не знаю такой команды" in run.out
    assert "Пустое описание" in run.out
    assert "не больше 1000 символов (у вас 5000)" in run.out
    assert "Бесплатных раскрасок: 10" in run.out
    assert "Traceback" not in run.err


def test_english_console_user(tmp_path: Path) -> None:
    run = paintbot(
        tmp_path,
        "console",
        "--name",
        "Tom",
        stdin=b"/start\nGet a coloring page\na cat in a hat\n",
        env={"PAINTBOT_LANGUAGE": "en"},
    )
    assert run.code == 0, run.err
    assert "Hi, Tom!" in run.out and "Pages left: 9" in run.out


def test_admin_console_sees_check_details(tmp_path: Path) -> None:
    run = paintbot(tmp_path, "console", "--admin", "--user-id", "77", stdin=b"/check\n")
    assert "Генератор: offline" in run.out


def test_db_in_a_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    run = paintbot(
        tmp_path,
        "console",
        stdin=b"/start\n",
        env={"PAINTBOT_DB_PATH": str(tmp_path / "no" / "such" / "x.db")},
    )
    assert run.code == 2
    assert "storage unavailable" in run.err and str(tmp_path / "no" / "such") in run.err
    assert "Traceback" not in run.err


def test_db_under_a_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    run = paintbot(tmp_path, "check", env={"PAINTBOT_DB_PATH": str(tmp_path / "afile" / "x.db")})
    assert run.code == 2 and "storage unavailable" in run.err


def test_malformed_settings_stop_start_up_naming_each_variable(tmp_path: Path) -> None:
    run = paintbot(
        tmp_path,
        "console",
        env={"PAINTBOT_FREE_GENERATIONS": "ten", "ADMIN_IDS": "x", "BOT_TOKEN": "1:sekret"},
    )
    assert run.code == 2
    assert "PAINTBOT_FREE_GENERATIONS" in run.err and "ADMIN_IDS" in run.err
    assert "sekret" not in run.err + run.out


@pytest.mark.parametrize(("name", "magic"), [("page.png", b"\x89PNG"), ("out/page.pdf", b"%PDF")])
def test_generate_writes_one_page(tmp_path: Path, name: str, magic: bytes) -> None:
    run = paintbot(
        tmp_path,
        "generate",
        "динозавр на скейте",
        "-o",
        name,
        "--level",
        "adult",
        "--paper",
        "letter",
    )
    assert run.code == 0, run.err
    target = tmp_path / name
    path, drew = run.out.strip().splitlines()  # the file first, for scripts; then what it shows
    assert path == str(target.resolve())
    assert drew == "Нарисовал: Ти-Рекс, скейтборд."
    assert target.read_bytes().startswith(magic)
    if name.endswith(".png"):
        with Image.open(target) as image:
            assert image.size == (2550, 3300)


def test_generated_pdf_lists_what_is_drawn_in_its_keywords(tmp_path: Path) -> None:
    run = paintbot(tmp_path, "generate", "a cat in a hat", "-o", "cat.pdf")

    assert run.code == 0, run.err
    info = PdfParser(str(tmp_path / "cat.pdf")).info
    assert decode_text(info[b"Keywords"]) == "🐱 cat face, 🎩 top hat"
    assert "Twemoji" in decode_text(info[b"Subject"])


def test_generate_says_when_nothing_was_recognised(tmp_path: Path) -> None:
    run = paintbot(
        tmp_path, "generate", "qwrt xyzzy", "-o", "x.png", env={"PAINTBOT_LANGUAGE": "en"}
    )

    assert run.code == 0, run.err
    assert "pattern page" in run.out.splitlines()[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("generate", "  ", "-o", "x.png"), "the description is empty"),
        (("generate", "кот", "-o", "x.jpg"), "must end in .png or .pdf"),
    ],
)
def test_generate_refuses_bad_arguments_clearly(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    run = paintbot(tmp_path, *args)
    assert run.code == 2 and message in run.err


def test_check_reports_a_healthy_embedded_setup(tmp_path: Path) -> None:
    run = paintbot(tmp_path, "check")
    assert run.code == 0, run.err
    assert "storage: ok" in run.out and "image backend: offline" in run.out


def test_the_example_settings_file_copied_as_it_is_starts_the_bot(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / ".env.example"
    (tmp_path / ".env").write_text(example.read_text(encoding="utf-8"), encoding="utf-8")

    run = paintbot(tmp_path, "check")

    assert run.code == 0, run.err  # empty values mean "the default", as the file says
    assert "image backend: offline" in run.out


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "paintbot"
    assert script.exists(), "pip install -e . should install the paintbot command next to python"


def test_generate_from_a_photo_offline_makes_a_clean_page(tmp_path: Path) -> None:
    photo = Image.new("RGB", (1200, 900), (120, 170, 220))
    draw = ImageDraw.Draw(photo)
    draw.rectangle((300, 350, 700, 650), fill=(200, 80, 60))
    draw.ellipse((850, 60, 1000, 210), fill=(250, 220, 60))
    photo.save(tmp_path / "house.jpg", quality=90)

    run = paintbot(tmp_path, "generate", "наш дом", "--from-photo", "house.jpg", "-o", "house.png")

    assert run.code == 0, run.err
    with Image.open(tmp_path / "house.png") as page:
        pixels = np.asarray(page.convert("L"))
    assert page.size == (2480, 3508)
    assert 0.01 < float((pixels == 0).mean()) < 0.25  # outlines, not a blank page or a dark blob


def test_generate_refuses_an_unreadable_photo_and_an_unsafe_description(tmp_path: Path) -> None:
    (tmp_path / "junk.jpg").write_bytes(b"not a photo")
    unreadable = paintbot(tmp_path, "generate", "-o", "x.png", "--from-photo", "junk.jpg")
    assert unreadable.code == 1 and "could not make the page" in unreadable.err
    missing = paintbot(tmp_path, "generate", "-o", "x.png", "--from-photo", "nope.jpg")
    assert missing.code == 2 and "cannot read the photo" in missing.err
    unsafe = paintbot(tmp_path, "generate", "голая девушка", "-o", "x.png")
    assert unsafe.code == 1 and "not suitable" in unsafe.err
    assert "Traceback" not in unreadable.err + missing.err + unsafe.err


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PAINTBOT_JOB_TIMEOUT", "inf"),
        ("PAINTBOT_JOB_TIMEOUT", "1e12"),
        ("BOT_TOKEN", "123456:AAH secret-part"),
        ("OPENAI_API_KEY", "sk-proj secret-part"),
        ("ADMIN_IDS", "0"),
        ("ADMIN_IDS", "12,-7"),
        ("ADMIN_IDS", str(2**52)),
    ],
)
def test_a_setting_that_would_fail_later_stops_start_up_with_one_line_naming_it(
    tmp_path: Path, variable: str, value: str
) -> None:
    run = paintbot(tmp_path, "console", stdin=SCRIPT.encode(), env={variable: value})

    assert run.code == 2, run.err
    title, line = run.err.strip().splitlines()
    assert title == "Invalid settings:" and line.startswith(f"  {variable}: ")
    assert "secret-part" not in run.out + run.err


def test_a_mongodb_ca_file_that_is_missing_stops_start_up_without_the_password(
    tmp_path: Path,
) -> None:
    ca = tmp_path / "no-such-ca.pem"
    uri = f"mongodb://paint:s3cret-pass@127.0.0.1:1/paintbot?tls=true&tlsCAFile={ca}"

    run = paintbot(tmp_path, "check", env={"MONGODB_URI": uri})

    assert run.code == 2, run.err
    assert run.err.startswith("paintbot: storage unavailable:") and str(ca) in run.err
    assert len(run.err.strip().splitlines()) == 1
    assert "s3cret-pass" not in run.out + run.err


def test_an_env_file_that_is_not_utf8_stops_start_up_naming_it(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes("PAINTBOT_SUPPORT_CONTACT=Тётя Маша\n".encode("cp1251"))

    run = paintbot(tmp_path, "check")

    assert run.code == 2, run.err
    assert run.err.strip().splitlines() == [
        "Invalid settings:",
        "  .env: line 1 is not UTF-8 text; save the file as UTF-8",
    ]


def test_an_env_file_named_on_the_command_line_must_exist(tmp_path: Path) -> None:
    run = paintbot(tmp_path, "--env-file", "prod.env", "check")

    assert run.code == 2, run.err
    assert run.err.strip().splitlines() == ["Invalid settings:", "  prod.env: no such file"]
    assert not (tmp_path / "bot.sqlite3").exists(), "nothing ran on the defaults"


@pytest.mark.parametrize("user_id", ["99999999999999999999", str(2**52), "0", "-5", "abc"])
def test_a_console_user_id_telegram_cannot_have_is_refused(tmp_path: Path, user_id: str) -> None:
    run = paintbot(tmp_path, "console", "--user-id", user_id, stdin=SCRIPT.encode())

    assert run.code == 2, run.err
    assert "argument --user-id:" in run.err and "Traceback" not in run.err
    assert run.out == ""
