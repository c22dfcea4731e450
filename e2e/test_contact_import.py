from e2e.browser import log_in
from qalibrate.accounts.models import Role
from qalibrate.contacts.models import Contact
from tests.factories import AgentFactory

GOOD = (
    "external_id;channel;agent_id;occurred_at;duration;subject;queue\n"
    "CRM-1;call;EN001;2026-03-02 10:30;4:35;Double charge;Billing\n"
    "CRM-2;чат;EN001;02.03.2026 11:05;;Delivery delay;Orders\n"
)
BAD = (
    GOOD
    + "CRM-3;fax;EN999;yesterday;;Refund;Billing\nCRM-1;call;EN001;2026-03-02 10:30;;Dup;Billing\n"
)


def test_import_report_then_apply(page, transactional_db, users, team, screenshot, tmp_path):
    AgentFactory(full_name="Emma Clarke", employee_id="EN001", team=team)
    log_in(page, users[Role.QA_LEAD])

    bad = tmp_path / "contacts.csv"
    bad.write_text(BAD, encoding="cp1251")
    page.goto("/contacts/import/")
    screenshot(page, "contact-import-en")
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_selector("h1:has-text('Import report')")
    text = page.locator("main").inner_text()
    assert "Nothing will be imported" in text and "fax" in text
    assert page.get_by_role("button", name="Apply the import").count() == 0
    screenshot(page, "contact-import-report-errors-en")
    assert not Contact.objects.exists()

    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8-sig")
    page.goto("/contacts/import/")
    page.set_input_files("#id_file", str(good))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_selector("h1:has-text('Import report')")
    screenshot(page, "contact-import-report-ok-en")
    page.get_by_role("button", name="Apply the import").click()
    page.wait_for_url("**/contacts/")
    assert "Imported: 2 new contacts, 0 updated." in page.locator(".messages").inner_text()
    assert set(Contact.objects.values_list("external_id", flat=True)) == {"CRM-1", "CRM-2"}
