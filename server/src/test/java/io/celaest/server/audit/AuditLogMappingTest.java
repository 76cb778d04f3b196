package io.celaest.server.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.celaest.projections.audit.AuditedActions;
import io.celaest.projections.audit.SecretFields;
import io.celaest.server.platform.security.ClientIpSealer;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/** The audit mapping covers every identity event, drops secrets, and failure auditing is bounded. */
class AuditLogMappingTest {

    @Test
    void everyIdentityAndLicensingEventHasAnExplicitAuditMapping() {
        List<Class<?>> events = new ClassFileImporter().importPackages("io.celaest.api.identity",
                        "io.celaest.api.licensing").stream()
                .filter(JavaClass::isRecord)
                .filter(c -> c.getSimpleName().matches(".*(ed|en)$")) // events are past tense; commands are not
                .map(JavaClass::reflect)
                .<Class<?>>map(c -> c)
                .toList();
        assertThat(events).hasSizeGreaterThanOrEqualTo(31);
        assertThat(events).allSatisfy(type -> assertThat(AuditedActions.isMapped(type)).as(type.getName()).isTrue());
        assertThat(AuditedActions.forEvent(String.class).action()).isEqualTo("other");
    }

    @Test
    void secretLookingFieldsAreDroppedAtAnyDepth() throws Exception {
        assertThat(SecretFields.isSecret("keyHash")).isTrue();
        assertThat(SecretFields.isSecret("webhook_secret")).isTrue();
        assertThat(SecretFields.isSecret("password")).isTrue();
        assertThat(SecretFields.isSecret("accessToken")).isTrue();
        assertThat(SecretFields.isSecret("name")).isFalse();
        assertThat(SecretFields.isSecret("maxApiCallsPerMonth")).isFalse();
        JsonNode tree = new ObjectMapper().readTree("""
                {"name":"n","keyHash":"x","settings":{"webhookSecret":"s","theme":"dark",
                 "list":[{"apiToken":"t","ok":1}]}}""");
        SecretFields.scrub(tree);
        assertThat(tree.toString()).isEqualTo("{\"name\":\"n\",\"settings\":{\"theme\":\"dark\",\"list\":[{\"ok\":1}]}}");
    }

    @Test
    void aFloodOfDenialsIsDroppedAndCountedNotQueuedWithoutBound() {
        FailureAuditor auditor = new FailureAuditor(null, null, mock(ClientIpSealer.class), null, 3); // not started: nothing drains the queue
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/organizations");
        for (int i = 0; i < 1000; i++) {
            auditor.denied(request, null, 401, "invalid bearer token");
        }
        assertThat(auditor.droppedCount()).isEqualTo(997);
    }
}
