"""`rasa run` with its HTTP API token taken from the environment, so that the token is never on a command line.

Rasa 3.6 reads the token only from `--auth-token` (rasa/cli/arguments/run.py, passed on by rasa.api.run to
rasa.core.run.serve_application), and any local user can read a process's arguments (`ps`, /proc/<pid>/cmdline);
its environment only the same user can. So the runner starts `python -m bot.serve run …` without the token, and
this launcher hands it to Rasa's own command-line entry point inside the process: the process's real arguments
stay as they were started, and every other `rasa run` option behaves as usual. It also makes Rasa check the action
server's replies against a schema compiled once (bot/action_response.py).
"""
from __future__ import annotations

import os
import sys

TOKEN_VARIABLE = "SHOPBOT_RASA_TOKEN"


def main() -> None:
    """Read the token from the environment, then run Rasa's command line with it added in memory only."""
    token = os.environ.get(TOKEN_VARIABLE, "")  # kept: credentials.yml gives it to our channel (bot/channel.py) as well
    if not token:
        sys.exit(f"{TOKEN_VARIABLE} is not set: Rasa's HTTP API would run without a token")
    from rasa.__main__ import main as rasa_main  # imported late: Rasa's import takes seconds

    from bot.action_response import install

    install()  # the action server's replies checked against a schema compiled once (bot/action_response.py)
    # One argument `--auth-token=…`: a random token may start with "-", which argparse would take for an option
    sys.argv = ["rasa", *sys.argv[1:], f"--auth-token={token}"]
    rasa_main()


if __name__ == "__main__":
    main()
