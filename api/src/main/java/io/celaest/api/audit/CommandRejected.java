package io.celaest.api.audit;

import java.util.UUID;

/**
 * A write attempt the platform refused with 404, 409 or 422 (a business rule, a limit, an unknown or foreign
 * resource). Published outside any aggregate stream. {@code command} is the simple name of the dispatched
 * command, or null when the request was refused before a command was sent; {@code organizationId} is the
 * tenant the attempt belongs to (the caller's organization, or for the platform operator the one it targeted);
 * {@code resourceId} the id the command was about, when known.
 */
public record CommandRejected(String command, UUID organizationId, String resourceId, int status, String code,
                              String reason, String method, String path) {
}
