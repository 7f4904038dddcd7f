"""The API under generated input (schemathesis, from the OpenAPI schema): no request a
client can make gives a server error, as a caseworker or as a coordinator."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("who", ["caseworker", "coordinator"])
def test_no_generated_request_gives_a_server_error(live_server, make_case, request, who, tmp_path):
    user = request.getfixturevalue(who)
    make_case(at="dossier_preparation")
    token = Token.objects.create(user=user)
    result = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "run", f"{live_server.url}/api/schema/",
         "--header", f"Authorization: Token {token.key}", "--checks", "not_a_server_error",
         "--max-examples", "15", "--workers", "1", "--phases", "examples,fuzzing", "--no-color",
         "--request-timeout", "30", "--seed", "20261202"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,  # its cache stays out of the checkout
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    generated = re.search(r"(\d+) generated", result.stdout)
    assert generated and int(generated.group(1)) >= 200, result.stdout[-2000:]  # it really ran
