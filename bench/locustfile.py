"""Locust scenario for bench/load.py: signed-in case workers and supervisors at work.

Run through bench/load.py, which prepares the accounts file and the server. Environment:
BENCH_ACCOUNTS (JSON written by load.py: accounts with password and, where a two-factor check
is needed, the TOTP key; search terms), BENCH_MAX_REQUESTS (stop after this many requests),
BENCH_TIMES (where to write every response time, for exact percentiles).

Each simulated user takes its own account, signs in once through the real form (CSRF token
from the page, the six-digit code computed from the device key when asked), then works:
case workers mostly on My work, their case list, case pages and name searches; supervisors
on the team page, the filtered case list and case pages.
"""

import itertools
import json
import os
import random
import re
import threading
import time
from urllib.parse import urlsplit

import gevent
from locust import HttpUser, between, events, task
from locust.exception import StopUser

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE_LINK = re.compile(r'href="/cases/([0-9a-f-]{36})/"')


def _load_accounts() -> dict:
    path = os.environ.get("BENCH_ACCOUNTS", "")
    if not path:
        return {"case_workers": [], "supervisors": [], "searches": []}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


ACCOUNTS = _load_accounts()
# Seconds a simulated user waits between two requests ("think time"): BENCH_THINK="min,max".
THINK = tuple(float(x) for x in os.environ.get("BENCH_THINK", "3,10").split(","))
MAX_REQUESTS = int(os.environ.get("BENCH_MAX_REQUESTS", "0") or 0)
TIMES_PATH = os.environ.get("BENCH_TIMES", "")

_lock = threading.Lock()
_pools = {
    "case_workers": itertools.cycle(ACCOUNTS["case_workers"] or [None]),
    "supervisors": itertools.cycle(ACCOUNTS["supervisors"] or [None]),
}
_times: dict[str, list[float]] = {}
_used_steps: dict[str, int] = {}
_failures: list[dict] = []
_count = 0


def next_account(pool: str) -> dict | None:
    with _lock:
        return next(_pools[pool])


def totp_code(account: dict, step: int = 30) -> str:
    """The account's current six-digit code. A code is accepted once: if this account's
    code of the current time step was already used (accounts shared between simulated users
    when the data has too few), wait for the next step."""
    from django_otp.oath import totp

    with _lock:
        now = int(time.time()) // step
        last = _used_steps.get(account["email"])
        wanted = now if last is None or last < now else last + 1
        _used_steps[account["email"]] = wanted
    delay = wanted * step - time.time()
    if delay > 0:
        gevent.sleep(delay + 0.2)
    return f"{totp(bytes.fromhex(account['totp_key']), step=step, t0=0, digits=6):06d}"


@events.init.add_listener
def _only_local(environment, **_kwargs):
    host = environment.host or ""
    if host and urlsplit(host).hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit(f"bench/locustfile.py only runs against 127.0.0.1, not {host}.")


@events.request.add_listener
def _record(request_type, name, response_time, exception, **_kwargs):
    global _count
    with _lock:
        _times.setdefault(name, []).append(response_time)
        if exception is not None:
            _failures.append({"name": name, "error": str(exception)[:300]})
        _count += 1


@events.test_start.add_listener
def _remember_runner(environment, **_kwargs):
    _Runner.runner = environment.runner


@events.quitting.add_listener
def _dump(environment, **_kwargs):
    if TIMES_PATH:
        with _lock, open(TIMES_PATH, "w", encoding="utf-8") as handle:
            json.dump({"times_ms": _times, "failures": _failures}, handle)


class _Runner:
    runner = None
    stopping = False


def _check_cap():
    """Stop the whole run once the request cap is reached."""
    if MAX_REQUESTS and _count >= MAX_REQUESTS:
        if _Runner.runner is not None and not _Runner.stopping:
            _Runner.stopping = True
            gevent.spawn(_Runner.runner.quit)
        raise StopUser


class Worker(HttpUser):
    """A case worker (most users)."""

    weight = 4
    pool = "case_workers"
    wait_time = between(*THINK)

    def on_start(self):
        self.account = next_account(self.pool)
        if self.account is None:
            raise StopUser
        self.cases: list[str] = []
        self.sign_in()

    def _csrf(self, html: str) -> str:
        found = CSRF_FIELD.search(html)
        return found.group(1) if found else ""

    def sign_in(self):
        """Each HTTP request is timed on its own: the sign-in POST, the two-factor check (for
        those who need it) and the page they land on (following redirects inside one request
        would time several as one)."""
        page = self.client.get("/account/login/", name="login form")
        with self.client.post(
            "/account/login/",
            {
                "username": self.account["email"],
                "password": self.account["password"],
                "csrfmiddlewaretoken": self._csrf(page.text),
                "next": "",
            },
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            target = response.headers.get("Location", "")
            if response.status_code != 302 or urlsplit(target).path.startswith("/account/login/"):
                response.failure("sign-in refused")
                raise StopUser
            response.success()
        landing = self.client.get(target, name="/work/", allow_redirects=False)
        target = landing.headers.get("Location", "")
        if landing.status_code == 302 and "/account/two-factor/" in target:
            form = self.client.get(target, name="two-factor form")
            with self.client.post(
                target,
                {
                    "token": totp_code(self.account),
                    "csrfmiddlewaretoken": self._csrf(form.text),
                    "next": "/work/",
                },
                name="two-factor",
                allow_redirects=False,
                catch_response=True,
            ) as check:
                target = check.headers.get("Location", "")
                if check.status_code != 302 or "/account/two-factor/" in target:
                    check.failure("two-factor code refused")
                    raise StopUser
                check.success()
            landing = self.client.get(target, name="/work/", allow_redirects=False)
        if landing.status_code != 200:
            raise StopUser
        self.remember_cases(landing.text)

    def remember_cases(self, html: str):
        found = CASE_LINK.findall(html)
        if found:
            self.cases = list(dict.fromkeys(found))[:50]

    def open_a_case(self):
        if not self.cases:
            self.remember_cases(self.client.get("/cases/", name="/cases/").text)
        if self.cases:
            self.client.get(f"/cases/{random.choice(self.cases)}/", name="/cases/[id]/")

    def search_term(self) -> str:
        searches = ACCOUNTS.get("searches") or ["Sok"]
        return random.choice(searches)

    @task(4)
    def my_work(self):
        _check_cap()
        self.remember_cases(self.client.get("/work/", name="/work/").text)

    @task(3)
    def case_list(self):
        _check_cap()
        self.remember_cases(self.client.get("/cases/", name="/cases/").text)

    @task(5)
    def case_page(self):
        _check_cap()
        self.open_a_case()

    @task(1)
    def case_timeline(self):
        _check_cap()
        if self.cases:
            self.client.get(
                f"/cases/{random.choice(self.cases)}/?page=2", name="/cases/[id]/?page=2"
            )

    @task(2)
    def search_people(self):
        _check_cap()
        self.client.get("/people/", params={"q": self.search_term()}, name="/people/?q=")

    @task(2)
    def search_cases(self):
        _check_cap()
        self.client.get("/cases/", params={"search": self.search_term()}, name="/cases/?search=")


class Supervisor(Worker):
    """A supervisor: the team's workload, the filtered case list, case pages."""

    weight = 1
    pool = "supervisors"

    @task(3)
    def team(self):
        _check_cap()
        self.client.get("/work/team/", name="/work/team/")

    @task(3)
    def case_list_filtered(self):
        _check_cap()
        response = self.client.get(
            "/cases/",
            params={"status": "open", "risk_level": "high", "due": "visits_overdue"},
            name="/cases/?filtered",
        )
        self.remember_cases(response.text)
