import re

from odoo import Command
from odoo.tests import TransactionCase, new_test_user

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT


def csrf_token(html):
    """The CSRF token of a page: in a form, or in the page's script."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(
        r'csrf_token: "([^"]+)"', html
    )
    return found.group(1)


def new_user_password(login):
    """The password ``new_test_user`` gives: the login, padded to 8 characters."""
    return login + "x" * (8 - len(login))


def xmlrpc_call(case, login, model, method, *args, **kwargs):
    """``model.method(*args, **kwargs)`` over real XML-RPC as the test user
    ``login``, as an external program calls it (an HttpCase's server)."""
    db = case.env.cr.dbname
    password = new_user_password(login)
    uid = case.xmlrpc_common.authenticate(db, login, password, {})
    case.assertTrue(uid, f"{login} could not log in")
    return case.xmlrpc_object.execute_kw(
        db, uid, password, model, method, list(args), kwargs
    )


def ledger_entry(env, bank, lines, journal_type="exchange", **vals):
    """A draft entry of ``bank``; ``lines`` is [(account, debit, credit)]."""
    return env["timebank.entry"].create(
        dict(
            {
                "journal_id": env["timebank.journal"]._get(bank, journal_type).id,
                "line_ids": [
                    Command.create(
                        {"account_id": account.id, "debit": debit, "credit": credit}
                    )
                    for account, debit, credit in lines
                ],
            },
            **vals,
        )
    )


def post_opening_balance(env, member, minutes):
    """Credit ``member`` with ``minutes`` issued by the bank, as a posted
    adjustment "Opening balance"."""
    bank = member.company_id
    issuance = env["timebank.account"]._get_system(bank, "issuance")
    entry = ledger_entry(
        env,
        bank,
        [(issuance, minutes, 0), (member.account_id, 0, minutes)],
        "adjustment",
        ref="Opening balance",
    )
    entry.action_post()
    return entry


class TimebankCase(TransactionCase):
    """Two banks, a broker and a manager in bank A, and helpers to make members."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the ledger numbers and chains postings after their commit, which a test
        # never reaches: here they are sequenced at once, in the transaction
        cls.env = cls.env(
            context=dict(
                cls.env.context, timebank_sequence_now=True, **DISABLED_MAIL_CONTEXT
            )
        )
        cls.bank_a = cls.env["res.company"].create({"name": "Bank A"})
        cls.bank_b = cls.env["res.company"].create({"name": "Bank B"})
        # timebank_cooperative, when installed, lets only brokers with a valid
        # background check and training verify or post services; these tests are
        # about the services themselves, their brokers have no such records
        if "timebank_broker_check_required" in cls.env["res.company"]._fields:
            (cls.bank_a | cls.bank_b).timebank_broker_check_required = False
        cls.broker = new_test_user(
            cls.env,
            login="tb_broker",
            groups="base.group_user,timebank_core.group_timebank_broker",
            company_id=cls.bank_a.id,
            company_ids=[cls.bank_a.id],
        )
        # a second broker of bank A: the four-eyes check wants another broker to
        # verify what a broker confirmed for the receiver
        cls.broker_2 = new_test_user(
            cls.env,
            login="tb_broker_2",
            groups="base.group_user,timebank_core.group_timebank_broker",
            company_id=cls.bank_a.id,
            company_ids=[cls.bank_a.id],
        )
        cls.manager = new_test_user(
            cls.env,
            login="tb_manager",
            groups="base.group_user,timebank_core.group_timebank_manager",
            company_id=cls.bank_a.id,
            company_ids=[cls.bank_a.id],
        )
        cls.broker_b = new_test_user(
            cls.env,
            login="tb_broker_b",
            groups="base.group_user,timebank_core.group_timebank_broker",
            company_id=cls.bank_b.id,
            company_ids=[cls.bank_b.id],
        )

    @classmethod
    def _person(cls, name, **vals):
        return cls.env["res.partner"].create(dict({"name": name}, **vals))

    @classmethod
    def _member(cls, name, bank=None, active=False, **partner_vals):
        """A membership of a new person in ``bank`` (bank A by default)."""
        bank = bank or cls.bank_a
        partner = cls._person(name, timebank_privacy_consent=True, **partner_vals)
        member = (
            cls.env["timebank.member"]
            .with_company(bank)
            .create({"partner_id": partner.id, "company_id": bank.id})
        )
        if active:
            member.action_activate()
        return member

    @classmethod
    def _name_proxy(cls, members, proxy, **rights):
        """The persons of ``members`` name ``proxy`` (a partner) their family
        proxy, with consent, and give them ``rights`` (view, request, confirm:
        none unless given)."""
        members.partner_id.write(
            {
                "timebank_proxy_id": proxy.id,
                "timebank_proxy_consent_date": "2026-01-05",
                "timebank_proxy_relation": "family",
                **{
                    f"timebank_proxy_can_{right}": rights.get(right, False)
                    for right in ("view", "request", "confirm")
                },
            }
        )

    @classmethod
    def _portal_user(cls, login, partner):
        """A portal login of ``partner``, member of bank A."""
        return new_test_user(
            cls.env,
            login=login,
            name=partner.name,
            groups="base.group_portal,timebank_core.group_timebank_member",
            partner_id=partner.id,
            company_id=cls.bank_a.id,
            company_ids=[cls.bank_a.id],
        )

    @classmethod
    def _service_item(cls, name="Neighbourly care", category="Other", **vals):
        """A catalog item of bank A, in a category of its own."""
        category = cls.env["timebank.service.category"].create(
            {"name": category, "company_id": cls.bank_a.id}
        )
        return cls.env["timebank.service.item"].create(
            dict(name=name, category_id=category.id, company_id=cls.bank_a.id, **vals)
        )

    # ------------------------------------------------------------------ ledger
    @classmethod
    def _journal(cls, journal_type, bank=None):
        return cls.env["timebank.journal"]._get(bank or cls.bank_a, journal_type)

    @classmethod
    def _system(cls, account_type, bank=None):
        return cls.env["timebank.account"]._get_system(bank or cls.bank_a, account_type)

    @classmethod
    def _entry(cls, lines, journal_type="exchange", bank=None, **vals):
        """A draft entry; ``lines`` is [(account, debit, credit)]."""
        return ledger_entry(cls.env, bank or cls.bank_a, lines, journal_type, **vals)

    @classmethod
    def _pay(cls, payer, payee, minutes, **vals):
        """Post ``minutes`` from one account (or member) to another."""
        payer = getattr(payer, "account_id", payer)
        payee = getattr(payee, "account_id", payee)
        entry = cls._entry([(payer, minutes, 0), (payee, 0, minutes)], **vals)
        entry.action_post()
        return entry
