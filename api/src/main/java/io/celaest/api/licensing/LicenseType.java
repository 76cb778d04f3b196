package io.celaest.api.licensing;

import java.util.Locale;

/** How a license is sold: forever, for a paid period, or as a trial. */
public enum LicenseType {
    PERPETUAL, SUBSCRIPTION, TRIAL;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LicenseType fromCode(String code) {
        return valueOf(code.toUpperCase(Locale.ROOT));
    }
}
