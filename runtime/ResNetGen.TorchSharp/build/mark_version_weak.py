#!/usr/bin/env python3
"""Marks one version need (e.g. GLIBCXX_3.4.32) of an ELF64 little-endian shared library weak.

With VER_FLG_WEAK set in its .gnu.version_r entry the dynamic loader no longer refuses to load the
library when the named file (libstdc++.so.6) lacks that version; symbols bound to the version are
then resolved from whichever loaded object defines them unversioned.

usage: mark_version_weak.py LIBRARY VERSION   (edits LIBRARY in place; exit 1 if VERSION is not needed)
"""
import struct
import sys

SHT_GNU_VERNEED = 0x6FFFFFFE
VER_FLG_WEAK = 0x2


def main(path: str, version: str) -> int:
    with open(path, "rb") as f:
        data = bytearray(f.read())
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        print(f"error: {path} is not a 64-bit little-endian ELF file", file=sys.stderr)
        return 1
    e_shoff, = struct.unpack_from("<Q", data, 0x28)
    e_shentsize, e_shnum = struct.unpack_from("<HH", data, 0x3A)

    def section(i):
        # sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size, sh_link, ...
        return struct.unpack_from("<IIQQQQI", data, e_shoff + i * e_shentsize)

    def cstr(offset):
        return bytes(data[offset:data.index(0, offset)]).decode()

    for i in range(e_shnum):
        _, sh_type, _, _, offset, _, link = section(i)
        if sh_type != SHT_GNU_VERNEED:
            continue
        strtab = section(link)[4]
        need = offset
        while True:
            _, cnt, vn_file, vn_aux, vn_next = struct.unpack_from("<HHIII", data, need)
            aux = need + vn_aux
            for _ in range(cnt):
                _, flags, _, name, vna_next = struct.unpack_from("<IHHII", data, aux)
                if cstr(strtab + name) == version:
                    struct.pack_into("<H", data, aux + 4, flags | VER_FLG_WEAK)
                    with open(path, "r+b") as f:
                        f.write(data)
                    return 0
                aux += vna_next
            if vn_next == 0:
                break
            need += vn_next
    print(f"error: {path} does not need version {version}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
