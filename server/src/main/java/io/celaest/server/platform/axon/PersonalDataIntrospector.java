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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Teaches the event serializer about {@link PersonalData}: such a value is written as
 * {@code {"personalDataOf": <subject>, "ciphertext": …}} under the key of the event's {@link DataSubject}, and
 * read back as its plaintext, or as "[erased]" once the subject's key was destroyed. A list of strings is written
 * as an array of such objects, one per element. Values stored in clear (a string, or an array of strings, written
 * before the component was personal data) read as they are.
 */
class PersonalDataIntrospector extends NopAnnotationIntrospector {

    private final PersonalDataVault vault;

    PersonalDataIntrospector(PersonalDataVault vault) {
        this.vault = vault;
    }

    @Override
    public Object findSerializer(Annotated annotated) {
        if (!annotated.hasAnnotation(PersonalData.class)) {
            return null;
        }
        return isList(annotated) ? new EncryptingList(vault) : new Encrypting(vault);
    }

    @Override
    public Object findDeserializer(Annotated annotated) {
        if (!annotated.hasAnnotation(PersonalData.class)) {
            return null;
        }
        return isList(annotated) ? new DecryptingList(vault) : new Decrypting(vault);
    }

    private static boolean isList(Annotated annotated) {
        Class<?> type = annotated.getRawType();
        if (Collection.class.isAssignableFrom(type) && !List.class.isAssignableFrom(type)) {
            throw new IllegalStateException("@PersonalData collections are lists of strings: " + annotated);
        }
        return List.class.isAssignableFrom(type);
    }

    private static final class Encrypting extends JsonSerializer<String> {
        private static final Map<Class<?>, RecordComponent> SUBJECTS = new ConcurrentHashMap<>();
        private final PersonalDataVault vault;

        Encrypting(PersonalDataVault vault) {
            this.vault = vault;
        }

        @Override
        public void serialize(String value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            writeSealed(vault, subjectOf(gen.currentValue()), value, gen);
        }

        static void writeSealed(PersonalDataVault vault, UUID subject, String value, JsonGenerator gen)
                throws IOException {
            gen.writeStartObject();
            gen.writeStringField(PersonalDataVault.SUBJECT_FIELD, subject.toString());
            gen.writeStringField(PersonalDataVault.CIPHERTEXT_FIELD, vault.encrypt(subject, value));
            gen.writeEndObject();
        }

        static UUID subjectOf(Object event) {
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

    /** Each element sealed on its own (a null element stays null), under the event's subject. */
    private static final class EncryptingList extends JsonSerializer<List<?>> {
        private final PersonalDataVault vault;

        EncryptingList(PersonalDataVault vault) {
            this.vault = vault;
        }

        @Override
        public void serialize(List<?> values, JsonGenerator gen, SerializerProvider provider) throws IOException {
            UUID subject = Encrypting.subjectOf(gen.currentValue());
            gen.writeStartArray(values, values.size());
            for (Object value : values) {
                if (value == null) {
                    gen.writeNull();
                } else {
                    Encrypting.writeSealed(vault, subject, value.toString(), gen);
                }
            }
            gen.writeEndArray();
        }
    }

    private static final class Decrypting extends JsonDeserializer<String> {
        private final PersonalDataVault vault;

        Decrypting(PersonalDataVault vault) {
            this.vault = vault;
        }

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            return read(vault, parser, context);
        }

        /** The value at the parser's current token: a sealed object, or a string written in clear. */
        static String read(PersonalDataVault vault, JsonParser parser, DeserializationContext context)
                throws IOException {
            JsonToken token = parser.currentToken();
            if (token == JsonToken.VALUE_STRING) {
                return parser.getText(); // written before the field was personal data
            }
            if (token == JsonToken.VALUE_NULL) {
                return null;
            }
            if (token != JsonToken.START_OBJECT) {
                return (String) context.handleUnexpectedToken(String.class, parser);
            }
            JsonNode sealed = parser.readValueAsTree();
            return vault.decrypt(UUID.fromString(sealed.get(PersonalDataVault.SUBJECT_FIELD).asText()),
                    sealed.get(PersonalDataVault.CIPHERTEXT_FIELD).asText());
        }
    }

    /** An array whose elements are sealed objects or, written before the list was personal data, plain strings. */
    private static final class DecryptingList extends JsonDeserializer<List<String>> {
        private final PersonalDataVault vault;

        DecryptingList(PersonalDataVault vault) {
            this.vault = vault;
        }

        @Override
        @SuppressWarnings("unchecked")
        public List<String> deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (parser.currentToken() != JsonToken.START_ARRAY) {
                return (List<String>) context.handleUnexpectedToken(List.class, parser);
            }
            List<String> values = new ArrayList<>();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                values.add(Decrypting.read(vault, parser, context));
            }
            return values;
        }
    }
}
