"""What authentication costs: the same single check over HTTP with and without a bearer JWT.

    .venv/bin/python -m bench.auth                  # 5 paired rounds of 2 s per side
    .venv/bin/python -m bench.auth --rounds 3 --seconds 1

Two ``hub serve`` processes on two copies of the demo store: one without authentication (loopback
development), one with ``--auth-jwks`` (an RS256 key set served from a file; rate limits off so they do not
interfere).  Each round sends the same query sequentially on one keep-alive connection to each server in
turn (no auth, RS256 token, ES256 token) and keeps the p50; printed is each figure's median over the
rounds and its ratio to the request without auth measured in the same round (the machine is noisy: only
same-run ratios mean anything).  Also printed: the verifier alone in-process (µs per token check).
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.hubproc import HubServer, hub_cli  # noqa: E402  (the test suite's real-server harness)

QUERY = json.dumps({"query": '{ recognizability(study: {institution: "bj-xh", item: "BJ-IMG:BW23ZYZZZ-00", '
                             'performedOn: "2026-11-11"}, at: "bj-hd-3b", on: "2026-11-23") { verdict } }'}).encode()


def p50_ms(port: int, headers: dict[str, str], seconds: float) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    samples = []
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            t = time.perf_counter()
            conn.request("POST", "/graphql", QUERY, {"Content-Type": "application/json", **headers})
            r = conn.getresponse()
            r.read()
            samples.append(time.perf_counter() - t)
            assert r.status == 200, r.status
    finally:
        conn.close()
    return statistics.median(samples) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=2.0)
    args = ap.parse_args()
    rsa = RSAKey.generate_key(2048, parameters={"kid": "rsa"}, private=True)
    ec = ECKey.generate_key("P-256", parameters={"kid": "ec"}, private=True)
    now = int(time.time())
    claims = {"sub": "bench", "role": "analyst", "iat": now, "exp": now + 3600}
    tokens = {"RS256": jwt.encode({"alg": "RS256", "kid": "rsa"}, claims, rsa),
              "ES256": jwt.encode({"alg": "ES256", "kid": "ec"}, claims, ec)}
    with tempfile.TemporaryDirectory(prefix="hub-bench-auth-") as tmp:
        work = Path(tmp)
        jwks = work / "jwks.json"
        jwks.write_text(json.dumps({"keys": [rsa.as_dict(private=False), ec.as_dict(private=False)]}))
        graphs = [work / "open.lbug", work / "auth.lbug"]
        for g in graphs:
            hub_cli("load", "--graph", str(g), str(ROOT / "seeds/demo/demo.yaml"))
        plain = HubServer(graphs[0], hub_env=False)
        secured = HubServer(graphs[1], "--auth-jwks", str(jwks), "--rate-limit", "none",
                            "--institution-rate-limit", "none", hub_env=False)
        try:
            rounds: dict[str, list[float]] = {"no auth": [], "RS256": [], "ES256": []}
            for _ in range(args.rounds):
                rounds["no auth"].append(p50_ms(plain.port, {}, args.seconds))
                for alg, token in tokens.items():
                    rounds[alg].append(p50_ms(secured.port, {"Authorization": f"Bearer {token}"}, args.seconds))
        finally:
            plain.stop()
            secured.stop()
        base = rounds["no auth"]
        print(f"HTTP single check p50, {args.rounds} paired rounds of {args.seconds:g} s (median; ratio to no auth, same round)")
        for name, values in rounds.items():
            ratio = statistics.median(v / b for v, b in zip(values, base))
            print(f"  {name:8s} {statistics.median(values):7.3f} ms   {ratio:5.2f}x")

        from hub.web.auth import Jwks, TokenVerifier

        async def verifier_alone() -> dict[str, float]:
            verifier = TokenVerifier(Jwks(str(jwks)))
            await verifier.jwks.load()
            out = {}
            for alg, token in tokens.items():
                n, t = 2000, time.perf_counter()
                for _ in range(n):
                    await verifier.identity(f"Bearer {token}")
                out[alg] = (time.perf_counter() - t) / n * 1e6
            return out

        for alg, us in asyncio.run(verifier_alone()).items():
            print(f"  verifier alone, {alg}: {us:6.1f} µs per token")


if __name__ == "__main__":
    main()
