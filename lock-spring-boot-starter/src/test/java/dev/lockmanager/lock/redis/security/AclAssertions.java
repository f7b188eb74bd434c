package dev.lockmanager.lock.redis.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.core.NestedExceptionUtils;

/**
 * What a missing permission must do: stop the application, with a message naming it and nothing else.
 */
final class AclAssertions {

	/** An ACL rule in the message: {@code +pexpire}, {@code ~lock:*}, {@code &lock:*}. */
	private static final Pattern RULE = Pattern.compile("(?<=\\s)[+~&][^\\s]+?(?=[.]?(\\s|$))");

	/** A command Redis refused, as its NOPERM message quotes it. */
	private static final Pattern REFUSED = Pattern.compile("no permissions to run the '([^']+)' command");

	private AclAssertions() {
	}

	/**
	 * The context failed to start, and its root cause names {@code permission}, and only it: as the ACL rule
	 * ({@code +pexpire}, {@code ~lock:*}) or, for a command Redis refused itself, as its {@code NOPERM} message quotes
	 * it ({@code 'eval'}).
	 */
	static void refusedToStartNaming(AssertableApplicationContext context, String permission) {
		assertThat(context).hasFailed();
		String message = NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure()).getMessage();
		assertThat(named(message, permission)).as(message).containsExactly(permission);
	}

	/**
	 * Redis 6.2 names a refused subcommand by its command: {@code 'sentinel'} for {@code sentinel|get-master-addr-by-name}.
	 */
	private static String asRule(String refused, String expected) {
		return (!refused.contains("|") && expected.startsWith("+" + refused + "|")) ? expected : "+" + refused;
	}

	private static Set<String> named(String message, String expected) {
		Set<String> named = new LinkedHashSet<>();
		Matcher rules = RULE.matcher(message);
		while (rules.find()) {
			named.add(rules.group());
		}
		Matcher refused = REFUSED.matcher(message);
		while (refused.find()) {
			named.add(asRule(refused.group(1), expected));
		}
		return named;
	}

}
