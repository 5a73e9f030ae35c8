"""Widgets of the complaint forms.

``FastSelect`` is Django's ``Select`` rendered in Python instead of through the form templates:
the same markup (tested against Django's own rendering), without a template include per
option. The report form's kelurahan list (151 options in Medan) and the officers' filter lists
(about 100 options) cost 10-15 ms per page through the templates. ``FastTextarea``, the
``Fast*Input`` widgets and ``FastLabelsMixin`` (a form's ``<label>`` tags) do the same for the
officers' report page, whose action forms render about fifteen fields and labels (~8 ms).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def _attrs_html(attrs: dict[str, Any]) -> str:
    """As ``django/forms/widgets/attrs.html``: ``False`` left out, ``True`` a bare name."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


class FastSelect(forms.Select):
    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [
            f'<select name="{conditional_escape(widget["name"])}"{_attrs_html(widget["attrs"])}>'
        ]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'<optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                parts.append(
                    f'<option value="{conditional_escape(str(option["value"]))}"'
                    f"{_attrs_html(option['attrs'])}>{conditional_escape(option['label'])}</option>"
                )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("\n".join(parts))  # every value above is escaped


class FastTextarea(forms.Textarea):
    """``Textarea`` rendered in Python (as ``django/forms/widgets/textarea.html``): the
    officers' report page shows a dozen of them in its action forms."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        text = conditional_escape(widget["value"]) if widget["value"] else ""
        return mark_safe(  # every value is escaped
            f'<textarea name="{conditional_escape(widget["name"])}"{_attrs_html(widget["attrs"])}>'
            f"\n{text}</textarea>"
        )


class FastInputMixin:
    """An ``Input`` widget rendered in Python (as ``django/forms/widgets/input.html``)."""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        return super().get_context(name, value, attrs)  # type: ignore[misc]

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        value_html = (
            f' value="{conditional_escape(str(widget["value"]))}"'
            if widget["value"] is not None
            else ""
        )
        return mark_safe(  # every value is escaped
            f'<input type="{conditional_escape(widget["type"])}" '
            f'name="{conditional_escape(widget["name"])}"{value_html}{_attrs_html(widget["attrs"])}>'
        )


class FastTextInput(FastInputMixin, forms.TextInput):
    pass


class FastDateInput(FastInputMixin, forms.DateInput):
    pass


class FastLabelsMixin:
    """A form whose ``label_tag`` is rendered in Python (as ``django/forms/label.html``)
    instead of through the form renderer; everything else renders as before."""

    template_name_label: str

    def render(
        self,
        template_name: str | None = None,
        context: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        if template_name == self.template_name_label and context is not None:
            label = conditional_escape(context["label"])
            if not context["use_tag"]:
                return mark_safe(label)
            tag = conditional_escape(context["tag"])
            attrs = _attrs_html(context["attrs"] or {})
            return mark_safe(f"<{tag}{attrs}>{label}</{tag}>")  # every value is escaped
        return super().render(template_name, context, renderer)  # type: ignore[misc]
