package io.celaest.api.licensing;

import java.util.UUID;

public record BindingRemoved(UUID licenseId, UUID organizationId, UUID bindingId, BindingKind kind, String value,
                             boolean inactive) {
}
