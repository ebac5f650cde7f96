"""`make screenshots`: every page of each demo user's menu, and their home page, at 1280 px
and 390 px, as full-page PNGs in screenshots/ (or the folder given as the first argument),
in the browser language given as the second argument (`make screenshots LANGUAGE=de`).

It builds a throwaway SQLite database with the migrations, the course import and the demo
data, serves the app on a free loopback port, and drives the system Chromium headless
(/usr/bin/chromium, or CHROMIUM_PATH). Open the pictures and look at them: a page a city
officer would find confusing is a bug even when its tests pass.

SCREENSHOTS_ONLY=/impact,/progress limits the pages to those paths (and their prefixes)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
FLASK = str(Path(sys.executable).parent / "flask")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
WIDTHS = {"desktop": 1280, "phone": 390}
USERS = [
    ("learner", "learner@demo.action-lms.eu", "demo-learner-pass"),
    ("coordinator", "coordinator@demo.action-lms.eu", "demo-coordinator-pass"),
    ("bologna", "bologna@demo.action-lms.eu", "demo-bologna-pass"),
    ("consultant", "consultant@demo.action-lms.eu", "demo-consultant-pass"),
    ("admin", "admin@demo.action-lms.eu", "demo-admin-pass"),
]
PUBLIC = ["/", "/login", "/register", "/stories", "/practices"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def slug(path: str) -> str:
    return path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-") or "home"


def prepare(env: dict) -> None:
    for args in (["db", "upgrade"], ["courses", "import", str(ROOT / "courses")], ["demo", "seed"]):
        subprocess.run([FLASK, *args], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def serve(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [FLASK, "run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urlopen(f"http://127.0.0.1:{port}/healthz/live", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the app did not start")


ONLY = [p for p in os.environ.get("SCREENSHOTS_ONLY", "").split(",") if p]


def shoot(page, base: str, path: str, out: Path, name: str) -> None:
    if ONLY and not any(path.startswith(prefix) for prefix in ONLY):
        return
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(base + path)
        status = response.status if response else "?"
        file = out / f"{name}-{slug(path)}-{label}.png"
        page.screenshot(path=str(file), full_page=True)
        print(f"{status} {name:<12} {path:<40} {file.relative_to(out.parent) if out.parent in file.parents else file}")


def main() -> None:
    from playwright.sync_api import sync_playwright

    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "screenshots").resolve()
    locale = sys.argv[2] if len(sys.argv) > 2 else "en"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {
            **os.environ,
            "FLASK_APP": "action_lms",
            "DATABASE_URL": f"sqlite:///{tmp}/screens.db",
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "RATELIMIT_ENABLED": "0",
        }
        prepare(env)
        server = serve(env, port)
        base = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
                context = browser.new_context(timezone_id="Europe/Berlin", locale=locale)
                page = context.new_page()
                for path in PUBLIC:
                    shoot(page, base, path, out, "public")
                context.close()
                for name, email, password in USERS:
                    context = browser.new_context(timezone_id="Europe/Berlin", locale=locale)
                    page = context.new_page()
                    page.goto(base + "/login")
                    page.locator("main input[name=email]").fill(email)
                    page.locator("main input[name=password]").fill(password)
                    page.locator("main form button[type=submit]").first.click()
                    page.wait_for_url(base + "/")
                    links = page.eval_on_selector_all(
                        "nav.nav a[href^='/']", "els => [...new Set(els.map(e => e.getAttribute('href')))]"
                    )
                    for path in dict.fromkeys(["/", *links, "/account"]):
                        shoot(page, base, path, out, name)
                    context.close()
                browser.close()
        finally:
            server.terminate()
            server.wait(10)
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main()
