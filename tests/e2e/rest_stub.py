"""A stand-in for Binance's REST depth endpoint, for the snapshot tests.

    rest_stub.py MODE LOG     MODE: ok | throttle (the first request gets 429, Retry-After: 2)
                                    | fail (every request gets 500)

Prints "listening PORT" on stdout. GET /api/v3/depth?symbol=S&limit=N answers
{"lastUpdateId":9999999999,"bids":[["1.00000000","<N>"]],"asks":[["1.10000000","2.00000000"]],
"symbol":"S"} with X-MBX-USED-WEIGHT-1M counting Binance's weights; each request is logged as
"<unix time> <path> <status>" to LOG.
"""
import http.server
import json
import sys
import time
import urllib.parse

mode, log_path = sys.argv[1], sys.argv[2]
state = {"requests": 0, "weight": 0}


def weight(limit):
    return 5 if limit <= 100 else 25 if limit <= 500 else 50 if limit <= 1000 else 250


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=(), log=True):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        if not log:
            return
        with open(log_path, "a") as out:
            out.write(f"{time.time():.3f} {self.path} {status}\n")

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(url.query)
        if url.path not in ("/api/v3/depth", "/fapi/v1/depth"):
            # exchangeInfo too: a REST host without it (mdrec then records unchecked). Not
            # counted or logged: the modes and the log are about the snapshots.
            return self.reply(404, '{"code":-1,"msg":"not found"}', log=False)
        state["requests"] += 1
        if mode == "fail":
            return self.reply(500, '{"code":-1000,"msg":"internal"}')
        if mode == "throttle" and state["requests"] == 1:
            return self.reply(429, '{"code":-1003,"msg":"Too many requests"}', [("Retry-After", "2")])
        limit = int(query.get("limit", ["100"])[0])
        state["weight"] += weight(limit)
        symbol = query.get("symbol", [""])[0]
        body = json.dumps({"lastUpdateId": 9999999999, "bids": [["1.00000000", str(limit)]],
                           "asks": [["1.10000000", "2.00000000"]], "symbol": symbol},
                          separators=(",", ":"))
        self.reply(200, body, [("X-MBX-USED-WEIGHT-1M", str(state["weight"]))])


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"listening {server.server_address[1]}", flush=True)
server.serve_forever()
