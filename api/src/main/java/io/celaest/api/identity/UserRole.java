package io.celaest.api.identity;

import java.util.Locale;

public enum UserRole {
    OWNER, ADMIN, MEMBER, VIEWER, AUDITOR;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static UserRole fromCode(String code) {
        return valueOf(code.toUpperCase(Locale.ROOT));
    }
}
