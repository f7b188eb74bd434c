package dev.lockmanager.lock.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class LockKeysTests {

	@Test
	void leaseKeyIsPrefixAndHashTaggedNameAndKey() {
		LockKeys keys = LockKeys.of("lock:", "orders", "item1");
		assertThat(keys.lease()).isEqualTo("lock:{orders:item1}");
		assertThat(keys.fencing()).isEqualTo("lock:{orders:item1}:fencing");
		assertThat(keys.channel()).isEqualTo("lock:{orders:item1}:released");
	}

	@Test
	void separatorInNameOrKeyCannotCollide() {
		assertThat(LockKeys.of("lock:", "a:b", "c").lease()).isNotEqualTo(LockKeys.of("lock:", "a", "b:c").lease());
	}

	@Test
	void bracesAndGlobCharactersAreEncoded() {
		String lease = LockKeys.of("lock:", "n}{", "*?[]\\{x}").lease();
		String tag = lease.substring(lease.indexOf('{') + 1, lease.indexOf('}'));
		assertThat(lease).startsWith("lock:{").endsWith("}");
		assertThat(lease.chars().filter((c) -> c == '{' || c == '}').count()).isEqualTo(2);
		assertThat(tag).doesNotContain("*", "?", "[", "]", "\\");
	}

	@Test
	void encodingIsInjectiveOnTrickyInputs() {
		List<String> inputs = List.of("a", "A", "a%41", "%", "%25", "é", "e\u0301", " ", "+", ":", "#", "#x", "a b",
				"\u0000", "{", "}", "🔒", "a.b", "a_b", "a-b");
		Set<String> encoded = new HashSet<>();
		inputs.forEach((input) -> encoded.add(LockKeys.of("p:", "n", input).lease()));
		assertThat(encoded).hasSameSizeAs(inputs);
	}

	@Test
	void longKeysAreHashedWithoutCollidingWithShortOnes() {
		String longKey = "x".repeat(LockKeys.MAX_ENCODED_KEY + 1);
		String otherLongKey = "x".repeat(LockKeys.MAX_ENCODED_KEY) + "y";
		String hashed = LockKeys.of("lock:", "n", longKey).lease();
		assertThat(hashed).hasSizeLessThan(100).contains("#");
		assertThat(hashed).isNotEqualTo(LockKeys.of("lock:", "n", otherLongKey).lease());
		assertThat(LockKeys.of("lock:", "n", "x".repeat(LockKeys.MAX_ENCODED_KEY)).lease()).doesNotContain("#");
	}

}
