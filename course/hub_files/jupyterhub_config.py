# JupyterHub configuration of a Backprop-from-Scratch class, copied here by `course hub setup`.
# The class itself (accounts, ports, folders) is in hub.json beside this file, written by the same command:
# run `course hub setup` again to change it, then restart the hub (`course hub start`).
import json
from pathlib import Path

c = get_config()  # noqa: F821

HERE = Path(__file__).resolve().parent
CLASS = json.loads((HERE / "hub.json").read_text())
ENV = Path(CLASS["env"])
STATE = HERE / "state"

# one machine: the hub, its proxy and every server listen on 127.0.0.1 only (put a TLS proxy in front of
# port CLASS["port"] to open it to a network; see README)
c.JupyterHub.ip = CLASS["ip"]
c.JupyterHub.port = CLASS["port"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = CLASS["hub_port"]
c.ConfigurableHTTPProxy.command = [CLASS["proxy"]]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{CLASS['proxy_api_port']}"
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True

# accounts: the machine's own (PAM), limited to the class
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False  # no login session per server (containers often lack pam_systemd)
c.Authenticator.allowed_users = set(CLASS["students"]) | {CLASS["instructor"]}
c.Authenticator.admin_users = {CLASS["instructor"]}

# every user's JupyterLab runs from the hub's own environment, which holds no course code: students
# cannot import the grader or read the reference solutions through it
c.Spawner.cmd = [str(ENV / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.Spawner.environment = {
    "PATH": f"{ENV / 'bin'}:/usr/local/bin:/usr/bin:/bin",
    # one BLAS thread per student: the training notebook is many times slower with two on a shared machine
    "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    # the language of the visible checks (bp_checks.py) in every kernel: the class's edition
    "BACKPROP_LANG": CLASS.get("language", "en"),
}


def role_config(spawner):
    """The instructor's JupyterLab gets the formgrader and Create Assignment; a student's gets only the
    Assignments tab and Validate (jupyter/student/ disables the rest)."""
    role = "instructor" if spawner.user.name == CLASS["instructor"] else "student"
    spawner.environment["JUPYTER_CONFIG_PATH"] = str(HERE / "jupyter" / role)


c.Spawner.pre_spawn_hook = role_config
