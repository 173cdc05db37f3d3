"""Operators' commands: `python -m api.cli create-agent --email ... --name ... --role admin`.

The password is read from SHOPBOT_NEW_PASSWORD or asked for (never a command-line argument, which `ps`
and shell history would show).
"""
from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from api.desk.agents import create_agent
from api.domain_errors import DomainError
from api.settings import Settings
from api.storage.db import make_engine, make_sessionmaker, migrate
from api.storage.models import Role


async def _create(settings: Settings, email: str, name: str, role: Role, password: str) -> None:
    engine = make_engine(settings.database)
    try:
        async with make_sessionmaker(engine)() as session:
            agent = await create_agent(session, email=email, name=name, password=password, role=role)
            print(f"Created {agent.role.value} {agent.name} <{agent.email}>; they can sign in at {settings.base_url}/console/")
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.cli", description="Manage the people who use the agent console.")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-agent", help="add an agent, editor or admin (use --role admin for the first one)")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--role", choices=[r.value for r in Role], default=Role.agent.value)
    args = parser.parse_args(argv)

    settings = Settings()
    password = os.environ.get("SHOPBOT_NEW_PASSWORD") or getpass.getpass(f"Password for {args.email}: ")
    migrate(settings.database)
    try:
        asyncio.run(_create(settings, args.email, args.name, Role(args.role), password))
    except DomainError as exc:
        print(f"error: {exc.reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
