package io.celaest.api.audit;

import java.util.UUID;

/**
 * A request refused before anything happened: 401 (no or bad credentials) or 403 (known caller, missing
 * scope or role). Published outside any aggregate stream; who asked (when known) and from where travel in the
 * metadata like for every other event. {@code organizationId} is the caller's organization, null when the
 * caller is unknown or the platform operator. Never holds the presented token or any part of it.
 */
public record AccessDenied(UUID organizationId, int status, String method, String path, String reason) {
}
