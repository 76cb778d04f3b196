package io.celaest.server.platform.axon;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.NopAnnotationIntrospector;
import io.celaest.api.platform.DataSubject;
import io.celaest.api.platform.PersonalData;
import io.celaest.projections.platform.PersonalDataVault;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Teaches the event serializer about {@link PersonalData}: such a value is written as
 * {@code {"personalDataOf": <subject>, "ciphertext": …}} under the key of the event's {@link DataSubject}, and
 * read back as its plaintext, or as "[erased]" once the subject's key was destroyed.
 */
class PersonalDataIntrospector extends NopAnnotationIntrospector {

    private final PersonalDataVault vault;

    PersonalDataIntrospector(PersonalDataVault vault) {
        this.vault = vault;
    }

    @Override
    public Object findSerializer(Annotated annotated) {
        return annotated.hasAnnotation(PersonalData.class) ? new Encrypting(vault) : null;
    }

    @Override
    public Object findDeserializer(Annotated annotated) {
        return annotated.hasAnnotation(PersonalData.class) ? new Decrypting(vault) : null;
    }

    private static final class Encrypting extends JsonSerializer<String> {
        private static final Map<Class<?>, RecordComponent> SUBJECTS = new ConcurrentHashMap<>();
        private final PersonalDataVault vault;

        Encrypting(PersonalDataVault vault) {
            this.vault = vault;
        }

        @Override
        public void serialize(String value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            UUID subject = subjectOf(gen.currentValue());
            gen.writeStartObject();
            gen.writeStringField(PersonalDataVault.SUBJECT_FIELD, subject.toString());
            gen.writeStringField(PersonalDataVault.CIPHERTEXT_FIELD, vault.encrypt(subject, value));
            gen.writeEndObject();
        }

        private static UUID subjectOf(Object event) {
            RecordComponent component = SUBJECTS.computeIfAbsent(event.getClass(), type -> Arrays.stream(
                            type.getRecordComponents() == null ? new RecordComponent[0] : type.getRecordComponents())
                    .filter(c -> c.isAnnotationPresent(DataSubject.class) && c.getType() == UUID.class)
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(type.getName()
                            + " has @PersonalData but no @DataSubject UUID component")));
            try {
                return (UUID) component.getAccessor().invoke(event);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static final class Decrypting extends JsonDeserializer<String> {
        private final PersonalDataVault vault;

        Decrypting(PersonalDataVault vault) {
            this.vault = vault;
        }

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (parser.currentToken() == JsonToken.VALUE_STRING) {
                return parser.getText(); // written before the field was personal data
            }
            JsonNode sealed = parser.readValueAsTree();
            return vault.decrypt(UUID.fromString(sealed.get(PersonalDataVault.SUBJECT_FIELD).asText()),
                    sealed.get(PersonalDataVault.CIPHERTEXT_FIELD).asText());
        }
    }
}
