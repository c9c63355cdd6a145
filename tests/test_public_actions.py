"""Every public action of the product's addons answers an XML-RPC client.

An action that returns None does its work, then answers ``Fault: cannot marshal
None``: the client cannot tell success from failure and may retry. Each addon
calls its actions on records in the right state in its own tests; this test
reads every ``action_*`` the addons define, checks that each ends by returning
a value, and calls each over real XML-RPC on an empty selection.
"""

import ast
import inspect
import textwrap
from xmlrpc.client import Fault

from odoo.tests import HttpCase, new_test_user, tagged

ADDONS = (
    "timebank_core",
    "timebank_matching",
    "timebank_cooperative",
    "timebank_grant",
    "timebank_community",
)


def public_actions(env):
    """{(model, method): function} of the actions our addons define."""
    found = {}
    for name in sorted(env.registry):
        model_class = type(env[name])
        for cls in model_class.__mro__:
            module = getattr(cls, "__module__", "")
            if not any(module.startswith(f"odoo.addons.{addon}.") for addon in ADDONS):
                continue
            for attr, value in cls.__dict__.items():
                if attr.startswith("action_") and callable(value):
                    found.setdefault((name, attr), value)
    return found


def returns_a_value(function):
    """Whether every way out of the function returns something (or raises)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    body = tree.body[0].body
    for node in ast.walk(tree.body[0]):
        if isinstance(node, ast.Return) and (
            node.value is None
            or (isinstance(node.value, ast.Constant) and node.value.value is None)
        ):
            return False
    return isinstance(body[-1], ast.Return | ast.Raise)


@tagged("post_install", "-at_install")
class TestPublicActions(HttpCase):
    def test_every_action_returns_a_value(self):
        actions = public_actions(self.env)
        self.assertGreater(len(actions), 40)
        silent = sorted(
            f"{model}.{method}"
            for (model, method), function in actions.items()
            if not returns_a_value(function)
        )
        self.assertEqual(silent, [], "these actions may return None")

    def test_every_action_answers_over_xmlrpc(self):
        groups = (
            self.env["ir.model.data"]
            .search([("model", "=", "res.groups"), ("module", "in", ADDONS)])
            .mapped("complete_name")
        )
        new_test_user(
            self.env,
            login="actions_admin",
            groups=",".join(["base.group_user", "base.group_system", *groups]),
        )
        db = self.env.cr.dbname
        uid = self.xmlrpc_common.authenticate(db, "actions_admin", "actions_admin", {})
        unmarshalled = []
        for model, method in sorted(public_actions(self.env)):
            try:
                self.xmlrpc_object.execute_kw(
                    db, uid, "actions_admin", model, method, [[]]
                )
            except Fault as fault:
                if "marshal" in fault.faultString:
                    unmarshalled.append(f"{model}.{method}")
        self.assertEqual(unmarshalled, [])
