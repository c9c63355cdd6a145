from odoo import SUPERUSER_ID, http
from odoo.http import request

from ..models import protocol

MAX_BODY = 65536


class InterbankController(http.Controller):
    """The door of this server for partner banks: signed JSON messages only."""

    @http.route(
        "/timebank/interbank/v1/<string:endpoint>",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def interbank_message(self, endpoint, **_kwargs):
        headers = [("Content-Type", "application/json")]
        if endpoint not in ("message", "statement", "key") or not request.db:
            body = protocol.canonical({"error": protocol.BAD_MESSAGE}).encode()
            return request.make_response(body, headers=headers, status=404)
        body = request.httprequest.get_data(cache=False)
        if len(body) > MAX_BODY:
            answer = protocol.canonical({"error": protocol.BAD_MESSAGE}).encode()
            return request.make_response(answer, headers=headers, status=413)
        env = request.env(user=SUPERUSER_ID)
        status, answer = env["timebank.interbank.transfer"]._receive(body, endpoint)
        return request.make_response(answer, headers=headers, status=status)
