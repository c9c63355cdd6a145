import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { parseFloatTime } from "@web/views/fields/parsers";
import { useInputField } from "@web/views/fields/input_field_hook";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

import { Component } from "@odoo/owl";

/**
 * Minutes (an integer field) as hours and minutes, "12:30", read and typed.
 * Typed as "1:30" or as hours, "1.5"; a whole number alone is hours too, so
 * that "2" is two hours, never two minutes.
 */
export function formatMinutes(value) {
    if (value === false || value === null || value === undefined) {
        return "";
    }
    const sign = value < 0 ? "-" : "";
    const minutes = Math.round(Math.abs(value));
    return `${sign}${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")}`;
}

export function parseMinutes(value) {
    const text = (value || "").trim();
    if (!text) {
        return 0;
    }
    return Math.round(parseFloatTime(text) * 60);
}

export class TimebankMinutesField extends Component {
    static template = "timebank_core.MinutesField";
    static props = {
        ...standardFieldProps,
        placeholder: { type: String, optional: true },
    };

    setup() {
        useInputField({
            getValue: () => this.formattedValue,
            parse: (v) => parseMinutes(v),
        });
    }

    get formattedValue() {
        return formatMinutes(this.props.record.data[this.props.name]);
    }
}

export const timebankMinutesField = {
    component: TimebankMinutesField,
    displayName: _t("Hours and minutes"),
    supportedTypes: ["integer"],
    isEmpty: () => false,
    extractProps: ({ attrs }) => ({
        placeholder: attrs.placeholder || _t("h:mm"),
    }),
};

registry.category("fields").add("timebank_minutes", timebankMinutesField);
// totals of lists and groups in h:mm too
registry.category("formatters").add("timebank_minutes", formatMinutes);
