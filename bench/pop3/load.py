# POP3 load tool for bench/pop3.ts (run pinned to the load core).
#   logins HOST PORT USER PASS SECONDS  -> sequential poplib login + STAT + QUIT for SECONDS;
#                                          prints {"logins": n, "seconds": s, "messages": count}
#   retr   HOST PORT USER PASS COUNT    -> one session, RETR 1..COUNT one at a time (no pipelining);
#                                          prints {"messages": n, "octets": o, "seconds": s}
# The RETR reader takes the socket in large chunks and looks for the terminator with bytes.find,
# so the client costs little next to the server (poplib's line-by-line retr() would dominate).
import json, poplib, socket, sys, time

mode, host, port, user, password, arg = sys.argv[1:7]
port = int(port)

if mode == 'logins':
    seconds = float(arg)
    n = 0
    messages = -1
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        p = poplib.POP3(host, port, timeout=30)
        p.user(user)
        p.pass_(password)
        messages = p.stat()[0]
        p.quit()
        n += 1
    elapsed = time.perf_counter() - start
    print(json.dumps({'logins': n, 'seconds': elapsed, 'messages': messages}))
elif mode == 'retr':
    count = int(arg)
    s = socket.create_connection((host, port), timeout=30)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buf = b''

    def line():
        global buf
        while b'\r\n' not in buf:
            chunk = s.recv(262144)
            if not chunk:
                raise SystemExit('closed')
            buf += chunk
        i = buf.index(b'\r\n')
        out, buf = buf[:i], buf[i + 2:]
        return out

    def cmd(c):
        s.sendall(c.encode() + b'\r\n')
        r = line()
        if not r.startswith(b'+OK'):
            raise SystemExit('%s: %r' % (c, r))
        return r

    line()
    cmd('USER ' + user)
    cmd('PASS ' + password)
    total = int(cmd('STAT').split()[2])
    octets = 0
    start = time.perf_counter()
    for i in range(1, count + 1):
        s.sendall(b'RETR %d\r\n' % i)
        # Status line and body end with CRLF "." CRLF; search only the new tail of the buffer.
        scan = 0
        while True:
            j = buf.find(b'\r\n.\r\n', max(0, scan - 4))
            if j != -1:
                break
            scan = len(buf)
            chunk = s.recv(262144)
            if not chunk:
                raise SystemExit('closed')
            buf += chunk
        if not buf.startswith(b'+OK'):
            raise SystemExit('RETR %d: %r' % (i, buf[:80]))
        octets += j + 5
        buf = buf[j + 5:]
    elapsed = time.perf_counter() - start
    cmd('QUIT')
    print(json.dumps({'messages': count, 'octets': octets, 'seconds': elapsed, 'stat_octets': total}))
else:
    raise SystemExit('unknown mode ' + mode)
