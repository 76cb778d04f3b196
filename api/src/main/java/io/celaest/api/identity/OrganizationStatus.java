package io.celaest.api.identity;

import java.util.Locale;

public enum OrganizationStatus {
    ACTIVE, SUSPENDED, DELETED;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
