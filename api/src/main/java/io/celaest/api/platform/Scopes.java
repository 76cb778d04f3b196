package io.celaest.api.platform;

import java.util.Set;

/** The permission vocabulary of API keys; {@code *} grants all of them. */
public final class Scopes {
    public static final String ORGANIZATION_READ = "organization:read";
    public static final String ORGANIZATION_WRITE = "organization:write";
    public static final String USERS_READ = "users:read";
    public static final String USERS_WRITE = "users:write";
    public static final String API_KEYS_READ = "api_keys:read";
    public static final String API_KEYS_WRITE = "api_keys:write";
    public static final String AUDIT_READ = "audit:read";
    public static final String LICENSES_READ = "licenses:read";
    /** Manage a license's bindings and collisions (the organization's side of anti-piracy). */
    public static final String LICENSES_WRITE = "licenses:write";
    public static final String USAGE_WRITE = "usage:write";

    /** What a platform API key may hold: it sees every tenant, so it may only read. */
    public static final Set<String> PLATFORM_KEY_SCOPES = Set.of(ORGANIZATION_READ, USERS_READ, API_KEYS_READ,
            AUDIT_READ, LICENSES_READ);

    public static final Set<String> KNOWN = Set.of(Caller.ALL_SCOPES, ORGANIZATION_READ, ORGANIZATION_WRITE,
            USERS_READ, USERS_WRITE, API_KEYS_READ, API_KEYS_WRITE, AUDIT_READ, LICENSES_READ, LICENSES_WRITE, USAGE_WRITE);

    /** Whether scopes {@code held} cover every one {@code wanted} ({@code *} covers all). */
    public static boolean grantsAll(Set<String> held, Set<String> wanted) {
        return held.contains(Caller.ALL_SCOPES) || held.containsAll(wanted);
    }

    private Scopes() {
    }
}
