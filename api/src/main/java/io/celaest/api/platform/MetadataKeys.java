package io.celaest.api.platform;

import java.util.List;

/** Metadata every command carries and every event it causes keeps; the audit trail is built from it. */
public final class MetadataKeys {
    public static final String ACTOR_ID = "actorId";
    public static final String ACTOR_KIND = "actorKind";
    public static final String ORGANIZATION_ID = "organizationId";
    /** Personal data of the actor: never in clear, but sealed as {@code {"personalDataOf", "ciphertext"}}. */
    public static final String CLIENT_IP = "clientIp";
    public static final String USER_AGENT = "userAgent";
    public static final String CORRELATION_ID = "correlationId";
    public static final String IDEMPOTENCY_KEY = "idempotencyKey";

    public static final List<String> ALL = List.of(ACTOR_ID, ACTOR_KIND, ORGANIZATION_ID, CLIENT_IP, USER_AGENT,
            CORRELATION_ID, IDEMPOTENCY_KEY);

    private MetadataKeys() {
    }
}
