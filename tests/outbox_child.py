"""A sender run as a child process by the fault-injection tests, so that it can be killed -9.

`python tests/outbox_child.py send|worker`, configured by RGPD_CHILD_CONFIG (JSON, merged into
create_app's test config). RGPD_CHILD_FAULT=kill_before_commit kills this process right after
the server's 250 is read and before its acceptance is committed.
"""

import json
import logging
import os
import signal
import sys


def main(mode: str) -> int:
    from rgpd_app import clock, create_app
    from rgpd_app.notifications import delivery, services

    config = json.loads(os.environ["RGPD_CHILD_CONFIG"])
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "pool_pre_ping": True,
        **config["SQLALCHEMY_ENGINE_OPTIONS"],
    }
    app = create_app({"TESTING": True, **config})
    if os.environ.get("RGPD_CHILD_FAULT") == "kill_before_commit":

        def die(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)

        delivery._record_acceptance = die
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s %(message)s")
    with app.app_context():
        if mode == "send":
            print(json.dumps(services.send_due(clock.now())), flush=True)
            return 0
        from rgpd_app.scheduler import run_worker

        return run_worker(app, interval_seconds=float(config.get("WORKER_INTERVAL", 1)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
