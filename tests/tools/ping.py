#!/usr/bin/env python3
"""ping.py DEST [COUNT] [TIMEOUT_S]: ICMP echo over a raw socket (no ping binary on the test
machines; docs/design.md §7, tests/system). Prints "<received>/<count> received"; exit 0 when any
reply came back."""
import os
import socket
import struct
import sys
import time


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def main() -> int:
    dest = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    sock.settimeout(timeout)
    ident = os.getpid() & 0xFFFF
    payload = b"microovn-ping" * 3
    received = 0
    for seq in range(count):
        header = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
        packet = struct.pack("!BBHHH", 8, 0, checksum(header + payload), ident, seq) + payload
        sock.sendto(packet, (dest, 0))
        while True:
            try:
                data, _ = sock.recvfrom(65535)
            except socket.timeout:
                break
            ihl = (data[0] & 0x0F) * 4
            kind, _, _, got_id, got_seq = struct.unpack("!BBHHH", data[ihl:ihl + 8])
            if kind == 0 and got_id == ident and got_seq == seq:
                received += 1
                break
        time.sleep(0.2)
    print(f"{received}/{count} received")
    return 0 if received else 1


if __name__ == "__main__":
    sys.exit(main())
