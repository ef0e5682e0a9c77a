/**
 * Names and labels people type (customers, groups, views, saved queries): no control characters and no bidi
 * overrides, which make a name lie about itself in lists and exports.
 */
export const SAFE_TEXT = /^[^\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]*$/;
