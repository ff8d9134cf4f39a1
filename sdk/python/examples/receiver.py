"""A webhook receiver with the standard library: verify the raw body, then use the event.

    POSTHORN_SECRET=whsec_... python examples/receiver.py 8080
"""

import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

from posthorn.verifier import WebhookVerificationError, verify_webhook

SECRETS = os.environ["POSTHORN_SECRET"].split(",")  # old,new while a secret is being rotated


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            event = verify_webhook(body, self.headers.get("Dealix-Signature"), SECRETS)
        except WebhookVerificationError as error:
            self.send_error(400, error.reason)
            return
        print("got", event["type"], event["id"], event["data"])
        self.send_response(204)
        self.end_headers()


if __name__ == "__main__":
    HTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8080), Handler).serve_forever()
