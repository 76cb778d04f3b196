package io.celaest.api.licensing;

import java.util.Locale;

/** What a binding ties a license to: a machine fingerprint when the client sends one, else its IP address. */
public enum BindingKind {
    IP, FINGERPRINT;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static BindingKind fromCode(String code) {
        return valueOf(code.toUpperCase(Locale.ROOT));
    }
}
