from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import TimebankCase

# Seed 000, Table 1: (category, item, difficulty coefficient, cap in hours per session)
TABLE_1 = [
    ("Housekeeping", "General cleaning", 2.0, 2),
    ("Housekeeping", "Bed sheets and covers", 1.5, 3),
    ("Housekeeping", "Curtains", 1.5, 3),
    ("Errands", "Shopping", 1.0, 2),
    ("Errands", "Bill payment", 1.0, 2),
    ("Errands", "Hospital escort", 2.5, 8),
    ("Nursing care", "Traditional Chinese massage", 2.5, 5),
    ("Nursing care", "Haircut", 2.5, 2.5),
    ("Nursing care", "Health checks", 2.0, 2),
    ("Nursing care", "Short-term care", 4.0, 12),
    ("Other services", "Elder education", 3.0, 6),
    ("Other services", "Neighbourly care", 1.0, 2),
    ("Other services", "Repairs", 1.5, 3),
    ("Other services", "Community governance", 1.0, 2),
]

# item -> [(minutes worked, minutes credited)]: one hour (the table's own column),
# a session long enough to reach the cap, and odd minutes rounded half up.
WORKED = {
    "General cleaning": [(60, 120), (45, 90), (90, 120)],
    "Bed sheets and covers": [(60, 90), (7, 11), (150, 180)],
    "Curtains": [(60, 90), (100, 150), (121, 180)],
    "Shopping": [(60, 60), (150, 120)],
    "Bill payment": [(60, 60), (30, 30), (121, 120)],
    "Hospital escort": [(60, 150), (180, 450), (3, 8), (240, 480)],
    "Traditional Chinese massage": [(60, 150), (150, 300)],
    "Haircut": [(60, 150), (30, 75), (90, 150)],
    "Health checks": [(60, 120), (20, 40), (75, 120)],
    "Short-term care": [(60, 240), (120, 480), (240, 720)],
    "Elder education": [(60, 180), (90, 270), (150, 360)],
    "Neighbourly care": [(60, 60), (200, 120)],
    "Repairs": [(60, 90), (50, 75), (600, 180)],
    "Community governance": [(60, 60), (180, 120)],
}


@tagged("post_install", "-at_install")
class TestCatalog(TimebankCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        categories = {}
        cls.items = {}
        for category, name, coefficient, cap_hours in TABLE_1:
            if category not in categories:
                categories[category] = cls.env["timebank.service.category"].create(
                    {"name": category, "company_id": cls.bank_a.id}
                )
            cls.items[name] = cls.env["timebank.service.item"].create(
                {
                    "name": name,
                    "category_id": categories[category].id,
                    "company_id": cls.bank_a.id,
                    "coefficient": coefficient,
                    "cap_minutes": round(cap_hours * 60),
                }
            )

    def test_every_row_of_table_1(self):
        self.assertEqual(set(WORKED), set(self.items))
        for name, sessions in WORKED.items():
            item = self.items[name]
            for worked, credited in sessions:
                with self.subTest(item=name, worked=worked):
                    self.assertEqual(item._credit_minutes(worked), credited)
                    self.assertIsInstance(item._credit_minutes(worked), int)

    def test_no_cap_and_equal_time_rule(self):
        item = self.env["timebank.service.item"].create(
            {
                "name": "Tutoring",
                "category_id": self.items["Repairs"].category_id.id,
                "company_id": self.bank_a.id,
            }
        )
        self.assertEqual(item.coefficient, 1.0)
        self.assertEqual(item.cap_minutes, 0)
        self.assertEqual(item._credit_minutes(600), 600)
        self.assertEqual(item._credit_minutes(0), 0)

    def test_negative_time_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "cannot last a negative time"):
            self.items["Repairs"]._credit_minutes(-5)

    def test_coefficient_must_be_positive(self):
        item = self.items["Repairs"]
        for value in (0, -1.5):
            with self.subTest(value=value):
                with self.assertRaisesRegex(
                    ValidationError,
                    "difficulty coefficient of Repairs must be greater than zero",
                ):
                    item.coefficient = value

    def test_negative_cap_is_refused(self):
        with self.assertRaisesRegex(
            ValidationError, "cap per session of Haircut cannot be negative"
        ):
            self.items["Haircut"].cap_minutes = -30

    def test_sql_checks_back_the_rules(self):
        item = self.items["Repairs"]
        with (
            self.assertRaisesRegex(IntegrityError, "coefficient_positive"),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self.env.cr.execute(
                "UPDATE timebank_service_item SET coefficient = 0 WHERE id = %s",
                [item.id],
            )

    def test_cap_in_hours_on_the_form(self):
        with Form(self.env["timebank.service.item"].with_user(self.manager)) as form:
            form.name = "Reading to children"
            form.category_id = self.items["Repairs"].category_id
            form.coefficient = 1.0
            form.cap_hours = 2.5
        item = form.record
        self.assertEqual(item.cap_minutes, 150)
        self.assertEqual(item._credit_minutes(200), 150)

    def test_broker_cannot_change_the_catalog(self):
        with self.assertRaisesRegex(Exception, "not allowed to modify"):
            self.items["Repairs"].with_user(self.broker).coefficient = 3.0

    def test_category_counts_its_items(self):
        category = self.items["Haircut"].category_id
        self.assertEqual(category.item_count, 4)
        action = category.action_view_items()
        self.assertEqual(action["domain"], [("category_id", "=", category.id)])
