#!/usr/bin/env python3
"""Streams `config set` requests to microovnd from several threads over the control socket and
appends each acknowledged request id (HTTP 200) to a file, one per line, flushed at once.
Stops after SECONDS or when the daemon goes away (kill -9 in the test).
Usage: load_client.py SOCKET THREADS SECONDS ACK_FILE"""
import http.client
import socket
import sys
import threading
import time


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=10)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(self.path)


def main():
    path, threads, seconds, ack_path = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    acks = open(ack_path, "a", buffering=1)

    def worker(t):
        i = 0
        conn = None
        while time.monotonic() < deadline:
            rid = f"load-{t}-{i}"
            i += 1
            try:
                if conn is None:
                    conn = UnixHTTPConnection(path)
                conn.request("PUT", "/1.0/config/ovn.central-ips",
                             body=f'{{"value":"10.0.{t}.{i % 250 + 1}"}}',
                             headers={"X-Request-Id": rid})
                resp = conn.getresponse()
                resp.read()
                if resp.status == 200:
                    with lock:
                        acks.write(rid + "\n")
            except (OSError, http.client.HTTPException):
                return  # the daemon is gone

    ts = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for th in ts:
        th.start()
    for th in ts:
        th.join()


if __name__ == "__main__":
    main()
