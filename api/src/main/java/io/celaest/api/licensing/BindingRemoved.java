package io.celaest.api.licensing;

import io.celaest.api.platform.DataSubject;
import io.celaest.api.platform.PersonalData;

import java.util.UUID;

/**
 * A binding released ({@code inactive}: unused for the plan's TTL) or removed. {@code value} is personal data of
 * the license's holder like {@link LicenseBound#value()}; null when the license's personal data was already erased.
 */
public record BindingRemoved(@DataSubject UUID licenseId, UUID organizationId, UUID bindingId, BindingKind kind,
                             @PersonalData String value, boolean inactive) {
}
