package io.celaest.api.licensing;

import java.util.Locale;

/** Where a license is in its lifecycle (seed document §2: active/suspended/expired/cancelled/trial). */
public enum LicenseStatus {
    TRIAL, ACTIVE, SUSPENDED, EXPIRED, CANCELLED;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LicenseStatus fromCode(String code) {
        return valueOf(code.toUpperCase(Locale.ROOT));
    }

    /** A license in use: validations may pass and usage may be recorded. */
    public boolean isLive() {
        return this == TRIAL || this == ACTIVE;
    }
}
