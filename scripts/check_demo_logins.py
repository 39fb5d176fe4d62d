#!/usr/bin/env python3
"""Log in with every demo login that `manage.py seed_demo` printed (used by check_run_command).

    check_demo_logins.py OUTPUT_FILE BASE_URL

seed_demo ends with a "Demo logins" header and one line per role: user name, password, role.
Each must log in: the login form answers with a redirect away from itself. Standard library
only, so it runs before any environment exists.
"""

import http.cookiejar
import re
import sys
import urllib.error
import urllib.parse
import urllib.request


def printed_logins(output: str) -> list[tuple[str, str]]:
    """(username, password) pairs from the indented lines under the last header."""
    header = output.lower().rfind("demo logins")
    if header < 0:
        return []
    logins = []
    for line in output[header:].splitlines()[1:]:
        if not line.startswith("  "):
            break
        username, password = line.split()[:2]
        logins.append((username, password))
    return logins


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def logs_in(base_url: str, username: str, password: str) -> bool:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    login_url = base_url + "/accounts/login/"
    page = opener.open(login_url, timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    form = {"csrfmiddlewaretoken": token, "username": username, "password": password}
    request = urllib.request.Request(
        login_url, data=urllib.parse.urlencode(form).encode(), headers={"Referer": login_url}
    )
    try:
        opener.open(request, timeout=30)
        return False  # 200: the form again, with an error
    except urllib.error.HTTPError as answer:
        return answer.code == 302 and "/accounts/login/" not in answer.headers["Location"]


def main(output_file: str, base_url: str) -> int:
    with open(output_file, encoding="utf-8", errors="replace") as f:
        logins = printed_logins(f.read())
    if not logins:
        print("error: no demo logins were printed", file=sys.stderr)
        return 1
    failed = [
        username for username, password in logins if not logs_in(base_url, username, password)
    ]
    for username, _ in logins:
        print(f"  {username}: {'REFUSED' if username in failed else 'logged in'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
