from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation

from qalibrate.accounts.models import User


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language", "time_zone"]


class LocalisedPasswordResetForm(PasswordResetForm):
    """Sends the reset link in the recipient's own language, whatever the page's language."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        with translation.override(context["user"].language):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)
