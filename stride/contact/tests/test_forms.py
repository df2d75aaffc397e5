"""The contact form's validation, including properties over arbitrary input."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from stride.contact.emails import email_address_safe
from stride.contact.forms import ContactForm
from stride.contact.validators import has_control_characters, single_line


def form(**overrides: str) -> ContactForm:
    data = {
        "name": "Alex Rivera",
        "email": "alex@example.com",
        "phone": "",
        "preferred_contact": "email",
        "message": "When can I come in?",
        "website": "",
    }
    data.update(overrides)
    return ContactForm(data)


def test_valid_form_excludes_the_honeypot_from_stored_fields():
    contact_form = form()
    assert contact_form.is_valid(), contact_form.errors
    assert "website" not in contact_form.message_fields()


def test_surrounding_whitespace_and_line_breaks_are_stripped():
    contact_form = form(name="\r\n  Alex Rivera \r\n", email=" alex@example.com\n")
    assert contact_form.is_valid(), contact_form.errors
    assert contact_form.cleaned_data["name"] == "Alex Rivera"
    assert contact_form.cleaned_data["email"] == "alex@example.com"


def test_nul_byte_is_reported_once():
    contact_form = form(name="Al\x00ex")
    assert not contact_form.is_valid()
    assert contact_form.errors["name"] == ["Null characters are not allowed."]


def test_phone_needs_enough_digits():
    assert not form(phone="()").is_valid()
    assert form(phone="+44 20 7946 0958").is_valid()


def test_unknown_preferred_contact_is_an_error():
    contact_form = form(preferred_contact="carrier pigeon")
    assert not contact_form.is_valid()
    assert "preferred_contact" in contact_form.errors


@given(st.text(max_size=200))
def test_accepted_single_line_fields_never_hold_line_breaks(text):
    contact_form = form(name=text)
    if contact_form.is_valid():
        name = contact_form.cleaned_data["name"]
        assert not has_control_characters(name)
        assert "\n" not in name and "\r" not in name


@given(st.text(max_size=200))
def test_single_line_output_is_always_one_header_safe_line(text):
    line = single_line(text)
    assert not has_control_characters(line)
    assert line == line.strip()


@given(st.text(max_size=80))
def test_email_address_safe_never_returns_line_breaks(text):
    address = email_address_safe(text)
    assert address is None or not has_control_characters(address)
