"Helpers for the data tests: environments with no network at all, and a local stand-in for files.grouplens.org."
import contextlib, http.server, os, threading, zipfile
from pathlib import Path

DEAD = 'http://127.0.0.1:9'  # the discard port: nothing listens there, so every connection is refused at once
PROXY_VARS = ('http_proxy', 'https_proxy', 'ftp_proxy', 'all_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'FTP_PROXY', 'ALL_PROXY')
NO_PROXY_VARS = ('no_proxy', 'NO_PROXY')


def offline_env(**extra):
    """os.environ with every URL the code uses unreachable: urllib (the GroupLens download) and pip go through a dead
    proxy, for every host (no `no_proxy` exceptions), and pip may use no index at all."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('PIP_')}
    env.update({k: DEAD for k in PROXY_VARS})
    env.update({k: '' for k in NO_PROXY_VARS})
    env.update(PIP_NO_INDEX='1', PIP_INDEX_URL=f'{DEAD}/simple', PIP_EXTRA_INDEX_URL='', PIP_FIND_LINKS='',
               PIP_CONFIG_FILE=os.devnull)
    env.update(extra)
    return env


def local_only_env(**extra):
    "os.environ with no proxy at all, so that a server on 127.0.0.1 is reached directly."
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS + NO_PROXY_VARS}
    env.update(no_proxy='127.0.0.1,localhost', NO_PROXY='127.0.0.1,localhost')
    env.update(extra)
    return env


def make_ml100k_zip(src, dest):
    "A zip laid out like GroupLens' ml-100k.zip (one `ml-100k/` folder) from the files of the folder `src`."
    with zipfile.ZipFile(dest, 'w', zipfile.ZIP_DEFLATED) as z:
        for p in sorted(Path(src).iterdir()): z.write(p, f'ml-100k/{p.name}')
    return dest


@contextlib.contextmanager
def serve_folder(folder):
    "Serve `folder` over HTTP on 127.0.0.1; yields (base URL, list of the paths requested so far)."
    hits = []
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs): super().__init__(*args, directory=str(folder), **kwargs)
        def do_GET(self): hits.append(self.path); super().do_GET()
        def log_message(self, *args): pass
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try: yield f'http://127.0.0.1:{srv.server_address[1]}', hits
    finally: srv.shutdown(); srv.server_close()


@contextlib.contextmanager
def silent_server():
    "A server that accepts connections and never answers: a network that drops packets. Yields its URL."
    import socket
    s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(8)
    try: yield f'http://127.0.0.1:{s.getsockname()[1]}/ml-100k.zip'
    finally: s.close()
