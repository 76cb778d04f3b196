package io.celaest.api.licensing;

import org.axonframework.modelling.command.TargetAggregateIdentifier;
import java.util.UUID;

/**
 * Tie a license to a device (IP or fingerprint): automatically on its first valid use, or by the organization's
 * admin. The License aggregate holds the count, so the binding limit is exact under concurrency.
 */
public record BindLicense(@TargetAggregateIdentifier UUID licenseId, UUID bindingId, BindingKind kind, String value, boolean manual) {
}
