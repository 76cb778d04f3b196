package io.celaest.command.licensing;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * IP addresses bound by hand must match the addresses validations arrive from, which the server writes as Java
 * does ({@code 10.0.0.1}, {@code 0:0:0:0:0:0:0:1}): a manual binding is parsed as an IP literal and stored in that
 * form, and anything else is refused (a binding that can never match would only take a slot). Literals only: no
 * name is ever looked up.
 */
final class IpAddresses {

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

    private IpAddresses() {
    }

    /** The address in the server's form, or empty when the text is not an IPv4 or IPv6 literal. */
    static Optional<String> canonical(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher v4 = IPV4.matcher(text);
        if (v4.matches()) {
            StringBuilder form = new StringBuilder();
            for (int i = 1; i <= 4; i++) {
                String part = v4.group(i);
                if ((part.length() > 1 && part.charAt(0) == '0') || Integer.parseInt(part) > 255) {
                    return Optional.empty();                  // 010 reads as octal in some tools: not guessed
                }
                form.append(i > 1 ? "." : "").append(Integer.parseInt(part));
            }
            return Optional.of(form.toString());
        }
        if (text.indexOf(':') < 0 || !IPV6.matcher(text).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(text).getHostAddress()); // a literal with ':' is never resolved
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** On a binding request: when {@code kind} is ip, {@code value} must be an IP address. */
    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    @Constraint(validatedBy = Check.class)
    @interface IpWhenKindIsIp {
        String message() default "must be an IPv4 or IPv6 address when kind is ip";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    static final class Check implements ConstraintValidator<IpWhenKindIsIp, LicenseCommandController.AddBindingRequest> {
        @Override
        public boolean isValid(LicenseCommandController.AddBindingRequest request, ConstraintValidatorContext context) {
            if (request == null || !"ip".equals(request.kind()) || request.value() == null
                    || canonical(request.value()).isPresent()) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate(context.getDefaultConstraintMessageTemplate())
                    .addPropertyNode("value").addConstraintViolation();
            return false;
        }
    }
}
