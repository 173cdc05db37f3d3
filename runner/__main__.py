"""`make run`: train if needed, build the index if needed, start Rasa and the api, print where to open it, restart a part that exits."""
from __future__ import annotations

import sys
import time

from api.settings import Settings
from runner.processes import StartupError, build_index, exit_with, port_is_free, running_stack, stop_on_signals
from runner.training import TrainingError, ensure_model


def main() -> None:
    settings = Settings()
    for name, port in (("api", settings.api_port), ("Rasa", settings.rasa_port)):
        if not port_is_free(port):
            exit_with(f"port {port} for the {name} is in use: stop what runs there or set SHOPBOT_{'API' if name == 'api' else 'RASA'}_PORT")
    try:
        model = ensure_model(settings.model_dir, log=None)
        build_index(settings)
    except (TrainingError, StartupError) as exc:
        exit_with(str(exc))
    stop_on_signals()
    print("Starting Rasa and the api (Rasa takes about a minute to load its model)...", flush=True)
    try:
        with running_stack(settings, model):
            print(
                f"\nShopbot is running.\n"
                f"  demo shop:  {settings.base_url}/demo/  (the chat widget: one <script> tag, see README)\n"
                f"  api:        {settings.base_url}/api  (OpenAPI docs: {settings.base_url}/api/docs)\n"
                f"  health:     {settings.base_url}/api/health\n"
                f"  agents:     {settings.base_url}/console/  (first admin: .venv/bin/python -m api.cli create-agent --role admin "
                f"--email you@shop.example --name You)\n"
                f"  Rasa:       {settings.rasa_url} (loopback only; log in {settings.var_dir / 'logs' / 'rasa.log'})\n"
                f"If Rasa or the api exits, it is started again (customers' messages wait and are answered then).\n"
                f"Press Ctrl-C to stop.\n",
                flush=True,
            )
            while True:  # the supervisor restarts a part that exits; Ctrl-C or SIGTERM ends this
                time.sleep(1)
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
    except StartupError as exc:
        exit_with(str(exc))
    sys.exit(0)


if __name__ == "__main__":
    main()
