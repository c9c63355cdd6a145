"""States move only through their actions, in every model of the product's addons.

For every model with a ``state`` field, a user with every group of the product
and the settings right (the highest short of the superuser) tries over XML-RPC
to create a record in each state but the first, to write each state value and
to write each field that the model's actions set: every try is refused with a
message and the record stays as it was.
"""

from odoo import SUPERUSER_ID
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.timebank_core.tests.common import xmlrpc_call
from odoo.addons.timebank_grant.tests.common import GrantCase

ADDONS = (
    "timebank_core",
    "timebank_matching",
    "timebank_cooperative",
    "timebank_grant",
    "timebank_community",
)


def sample_value(field, record):
    if field.type == "selection":
        values = [value for value, _label in field._description_selection(record.env)]
        return next((v for v in values if v != record[field.name]), values[0])
    if field.type == "many2one":
        return record[field.name].id or 1
    if field.type == "boolean":
        return not record[field.name]
    return {
        "integer": 4242,
        "float": 42.0,
        "monetary": 42.0,
        "char": "changed",
        "text": "changed",
        "html": "<p>changed</p>",
        "date": "2026-01-02",
        "datetime": "2026-01-02 10:00:00",
        "many2many": [(5, 0, 0)],
        "one2many": [(5, 0, 0)],
    }.get(field.type, False)


@tagged("post_install", "-at_install")
class TestStatesGuarded(GrantCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env(user=SUPERUSER_ID)
        company = cls.company
        company.write({"timebank_broker_check_required": False})
        members = env["timebank.member"]
        for name in ("Amy", "David"):
            partner = env["res.partner"].create(
                {"name": name, "timebank_privacy_consent": True}
            )
            member = members.create(
                {"partner_id": partner.id, "company_id": company.id}
            )
            member.action_activate()
            members |= member
        amy, david = members
        category = env["timebank.service.category"].create(
            {"name": "Care", "company_id": company.id}
        )
        item = env["timebank.service.item"].create(
            {"name": "Shopping", "category_id": category.id, "company_id": company.id}
        )
        issuance = env["timebank.account"]._get_system(company, "issuance")
        journal = env["timebank.journal"]._get(company, "adjustment")
        grant = cls._running_grant([("training", 100000, 0)])
        bill = cls._bill([("Training course", 5000, {grant.analytic_account_id: 100})])
        assembly = env["timebank.assembly"].create(
            {
                "name": "Annual assembly",
                "company_id": company.id,
                "date": "2026-12-30 06:00:00",
                "item_ids": [(0, 0, {"name": "Policy", "kind": "policy"})],
            }
        )
        cls.vals = {
            "timebank.member": {
                "partner_id": env["res.partner"]
                .create({"name": "Chen", "timebank_privacy_consent": True})
                .id,
                "company_id": company.id,
            },
            "timebank.exchange": {
                "provider_id": amy.id,
                "receiver_id": david.id,
                "item_id": item.id,
                "company_id": company.id,
                "date_start": "2026-01-05 09:00:00",
                "date_end": "2026-01-05 10:00:00",
            },
            "timebank.entry": {
                "journal_id": journal.id,
                "line_ids": [
                    (0, 0, {"account_id": issuance.id, "debit": 60}),
                    (0, 0, {"account_id": amy.account_id.id, "credit": 60}),
                ],
            },
            "timebank.request": {
                "member_id": david.id,
                "item_id": item.id,
                "company_id": company.id,
            },
            "timebank.offer": {
                "name": "Shopping on Mondays",
                "member_id": amy.id,
                "company_id": company.id,
            },
            "timebank.care.plan": {
                "name": "Weekly visit",
                "member_id": david.id,
                "item_id": item.id,
                "company_id": company.id,
            },
            "timebank.assembly": {
                "name": "Extraordinary assembly",
                "company_id": company.id,
                "date": "2026-12-31 06:00:00",
            },
            "timebank.policy.change": {
                "item_id": assembly.item_ids.id,
                "kind": "credit_limit",
                "new_value": 900,
                "effective_date": "2027-01-01",
            },
            "timebank.dispute": {
                "name": "Hours disagreement",
                "description": "The service took one hour, not two.",
                "category": "hours",
                "member_id": amy.id,
                "company_id": company.id,
            },
            "timebank.grant": {
                "name": "Another grant",
                "program_id": cls.program.id,
                "company_id": company.id,
                "date_start": "2026-01-01",
                "date_end": "2026-12-31",
            },
            "timebank.grant.claim": {"grant_id": grant.id},
            "timebank.grant.amendment": {
                "grant_id": grant.id,
                "reason": "More handbooks, fewer workshops.",
            },
            "timebank.story": {
                "member_id": amy.id,
                "title": "The day David came",
                "body": "<p>He brought soup.</p>",
            },
            # written by the expiry job only: any value given is refused
            "timebank.expiry.notice": {},
            # monthly statements ordered by a broker, made by their jobs
            "timebank.statement.run": {
                "company_id": company.id,
                "date_from": "2026-10-01",
                "date_to": "2026-10-31",
                "member_ids": [(6, 0, amy.ids)],
            },
            # written by the statement jobs only: any value given is refused
            "timebank.statement.run.line": {},
            "timebank.grant.expense": {
                "grant_id": grant.id,
                "move_line_id": bill.invoice_line_ids[:1].id,
            },
        }
        # one record of each model, as its users make it
        cls.records = {}
        for model, vals in cls.vals.items():
            if model == "timebank.grant.expense":
                # expenditures come from the accounting, by their import
                grant.with_env(env)._import_expenses()
                cls.records[model] = grant.with_env(env).expense_ids[:1]
                continue
            if model == "timebank.expiry.notice":
                # notices come from the expiry job
                cls.records[model] = env[model]._guarded_create(
                    [
                        {
                            "member_id": amy.id,
                            "account_id": amy.account_id.id,
                            "company_id": company.id,
                            "notice_date": "2026-01-05",
                            "expiry_date": "2026-02-04",
                            "covers_through": "2026-01-31",
                            "minutes": 60,
                            "channel": "letter",
                        }
                    ]
                )
                continue
            if model == "timebank.statement.run.line":
                # a member's statement comes from the run's first job
                cls.records[model] = env[model]._guarded_create(
                    [
                        {
                            "run_id": cls.records["timebank.statement.run"].id,
                            "member_id": amy.id,
                            "channel": "email",
                        }
                    ]
                )
                continue
            cls.records[model] = env[model].create(dict(vals))
        cls.vals["timebank.member"]["partner_id"] = (
            env["res.partner"]
            .create({"name": "Lin", "timebank_privacy_consent": True})
            .id
        )
        groups = (
            cls.env["ir.model.data"]
            .sudo()
            .search([("model", "=", "res.groups"), ("module", "in", ADDONS)])
            .mapped("complete_name")
        )
        cls.top = new_test_user(
            env,
            login="tb_top_user",
            groups=",".join(
                [
                    "base.group_user",
                    "base.group_system",
                    "account.group_account_manager",
                    *groups,
                ]
            ),
            company_id=company.id,
            company_ids=[company.id],
        )

    def _rpc(self, model, method, *args, **kwargs):
        return xmlrpc_call(self, "tb_top_user", model, method, *args, **kwargs)

    def _stateful_models(self):
        names = []
        for name in sorted(self.env.registry):
            Model = self.env[name]
            if Model._abstract or Model._transient or "state" not in Model._fields:
                continue
            # models of the product (account.move, extended by the grant, has
            # states of its own, which Odoo's accounting guards)
            if Model._original_module in ADDONS:
                names.append(name)
        return names

    def test_every_stateful_model_has_a_record_here(self):
        self.assertEqual(sorted(self._stateful_models()), sorted(self.records))

    def test_states_and_action_fields_are_not_written(self):
        tried = 0
        for model in self._stateful_models():
            Model = self.env[model]
            record = self.records[model].with_user(SUPERUSER_ID)
            guarded = Model._guarded_field_names()
            self.assertIn("state", guarded, model)
            # the fields the model's actions set (declared, stored, not computed)
            declared = sorted(
                name
                for name in guarded
                if Model._fields[name].store
                and not Model._fields[name].compute
                and not Model._fields[name].related
            )
            stored = [
                name
                for name, field in Model._fields.items()
                if field.store
                and field.type not in ("one2many", "many2many", "binary")
                and name
                not in ("write_date", "write_uid", "message_main_attachment_id")
            ]
            before = record.read(stored)
            states = [
                value
                for value, _label in Model._fields["state"]._description_selection(
                    self.env
                )
            ]
            for value in states:
                with self.subTest(model=model, write_state=value):
                    with self.assertRaisesRegex(Exception, r"\(state\)[^.]* cannot be"):
                        self._rpc(model, "write", [record.id], {"state": value})
                    tried += 1
            for name in declared:
                with self.subTest(model=model, field=name):
                    with self.assertRaisesRegex(
                        Exception, rf"\({name}\)[^.]* cannot be"
                    ):
                        self._rpc(
                            model,
                            "write",
                            [record.id],
                            {name: sample_value(Model._fields[name], record)},
                        )
                    tried += 1
            default = Model._guarded_default("state")
            for value in states:
                if value == default:
                    continue
                with self.subTest(model=model, create_state=value):
                    with self.assertRaisesRegex(Exception, r"\(state\)[^.]* cannot be"):
                        self._rpc(model, "create", dict(self.vals[model], state=value))
                    tried += 1
            record.invalidate_recordset()
            self.assertEqual(record.read(stored), before, model)
        self.assertGreater(tried, 80)
