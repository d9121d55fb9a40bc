"""The bot on the OpenAI backend, end to end: the real openai SDK against a fake OpenAI server,
driven through the `paintbot` command, asserting on what was sent and what the user got."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from support.fake_openai import FakeOpenAI

pytestmark = pytest.mark.slow
_OURS = ("PAINTBOT_", "BOT_TOKEN", "OPENAI_", "MONGODB_URI", "REDIS_URL", "ADMIN_IDS")


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def paintbot(openai: FakeOpenAI, tmp_path: Path, *args: str, stdin: bytes = b"") -> Run:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    env |= {
        "OPENAI_API_KEY": "sk-test-not-a-real-key",
        "OPENAI_BASE_URL": openai.base_url,
        "PAINTBOT_DB_PATH": str(tmp_path / "bot.sqlite3"),
        "PAINTBOT_OUTPUT_DIR": str(tmp_path / "pages"),
        "PAINTBOT_LOG_FORMAT": "json",
        "PAINTBOT_LOG_LEVEL": "DEBUG",  # even debug logs must not show the key
    }
    done = subprocess.run(
        [sys.executable, "-m", "entrypoints.cli", *args],
        input=stdin,
        capture_output=True,
        cwd=tmp_path,
        env=env,
        timeout=180,
        check=False,
    )
    return Run(
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
    )


def test_generate_asks_the_configured_model_for_a_portrait_page_and_prints_it(
    openai: FakeOpenAI, tmp_path: Path
) -> None:
    run = paintbot(
        openai,
        tmp_path,
        "generate",
        "кот в шляпе",
        "-o",
        "cat.png",
        "--level",
        "2-4",
        "--style",
        "kawaii",
    )
    assert run.code == 0, run.err
    [request] = openai.requests_to("images/generations")
    sent = request.fields
    assert sent["model"] == "gpt-image-2.5-sunburst" and sent["size"] == "1024x1536"
    assert "response_format" not in sent
    assert (
        "кот в шляпе" in sent["prompt"]
        and "toddlers" in sent["prompt"]
        and "kawaii" in sent["prompt"]
    )
    assert request.headers["authorization"] == "Bearer sk-test-not-a-real-key"
    assert openai.requests_to("moderations"), "the description was moderated first"
    with Image.open(tmp_path / "cat.png") as page:
        assert page.size == (2480, 3508)
    assert "sk-test-not-a-real-key" not in run.err + run.out


def test_a_photo_is_sent_to_images_edits(openai: FakeOpenAI, tmp_path: Path) -> None:
    photo = io.BytesIO()
    Image.new("RGB", (640, 480), "skyblue").save(photo, "JPEG")
    (tmp_path / "cat.jpg").write_bytes(photo.getvalue())
    run = paintbot(openai, tmp_path, "generate", "-o", "out.pdf", "--from-photo", "cat.jpg")
    assert run.code == 0, run.err
    [edit] = openai.requests_to("images/edits")
    assert edit.uploads[0].data == photo.getvalue()
    assert "redraw this photo" in edit.fields["prompt"].lower()
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")


def test_a_refusal_by_openai_moderation_costs_nothing_and_says_why(
    openai: FakeOpenAI, tmp_path: Path
) -> None:
    openai.flag(["дракон ест рыцаря"], category="violence/graphic")
    script = "/start\nПолучить раскраску\nдракон ест рыцаря\n/balance\n".encode()
    run = paintbot(openai, tmp_path, "console", stdin=script)
    assert run.code == 0, run.err
    assert "Такую раскраску я нарисовать не могу" in run.out
    assert "Бесплатных раскрасок: 10" in run.out
    assert openai.requests_to("images/generations") == []


def test_a_content_policy_refusal_of_the_image_is_refunded_with_a_kind_message(
    openai: FakeOpenAI, tmp_path: Path
) -> None:
    openai.fail("images/generations", status=400, code="moderation_blocked", message="blocked")
    script = "/start\nПолучить раскраску\nкот в шляпе\n".encode()
    run = paintbot(openai, tmp_path, "console", stdin=script)
    again = paintbot(openai, tmp_path, "console", stdin=b"/balance\n")
    assert run.code == 0, run.err
    assert "Такую раскраску я нарисовать не могу" in run.out
    assert "Бесплатных раскрасок: 10, купленных: 0, в работе: 0." in again.out


def test_a_bad_key_refunds_the_page_and_alerts_the_admin(
    openai: FakeOpenAI, tmp_path: Path
) -> None:
    openai.fail("images/generations", status=401, code="invalid_api_key", times=None)
    script = "/start\nПолучить раскраску\nкот в шляпе\n".encode()
    run = paintbot(openai, tmp_path, "console", "--admin", "--user-id", "900", stdin=script)
    again = paintbot(openai, tmp_path, "console", "--user-id", "900", stdin=b"/balance\n")
    assert run.code == 0, run.err
    assert run.out.count("Генератор картинок отказывает всем") == 1  # the console user is the admin
    assert "Не получилось нарисовать «кот в шляпе»" in run.out
    assert len(openai.requests_to("images/generations")) == 1, "401 is not retried"
    assert "Бесплатных раскрасок: 10" in again.out
    assert "sk-test-not-a-real-key" not in run.err + run.out
