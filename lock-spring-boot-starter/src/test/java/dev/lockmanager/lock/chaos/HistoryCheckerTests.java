package dev.lockmanager.lock.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.lockmanager.lock.chaos.Operation.Answer;
import dev.lockmanager.lock.chaos.Operation.Release;

/**
 * {@link HistoryChecker} on hand-made histories: a valid one, and for each property one that breaks it.
 */
class HistoryCheckerTests {

	private static final Duration TTL = Duration.ofSeconds(1);

	private static final Map<String, Long> KEYS_WITH_TTL = Map.of("lock:{chaos:k}:fencing", 604_800_000L);

	@Test
	void serialHistoryWithEveryWriteAcceptedIsValid() {
		History history = history(List.of(accepted("p1", 10, 0, 100, 1), accepted("p2", 11, 150, 250, 2),
				accepted("p3", 12, 1300, 1400, 3)), new Fault("SIGKILL", "p4", ms(1000), ms(1000)));

		Verdict verdict = HistoryChecker.check(history, new ResourceState(3, List.of(10L, 11L, 12L)), KEYS_WITH_TTL,
				TTL);

		assertThat(verdict.violations()).isEmpty();
		assertThat(verdict.operations()).isEqualTo(3);
		assertThat(verdict.faults()).isEqualTo(1);
		assertThat(verdict.overlaps()).isZero();
		assertThat(verdict.lostUpdates()).isZero();
		assertThat(verdict.worstRecovery()).isEqualTo(Duration.ofMillis(300));
	}

	@Test
	void writeComputedFromAStaleReadIsALostUpdate() {
		// p1 read 0 and was paused; p2 read 0 too and wrote 1; p1 resumed and also wrote 1: no fencing
		History history = history(
				List.of(accepted("p1", 10, 0, 2000, 1).lost(), accepted("p2", 11, 1100, 1200, 1)));

		Verdict verdict = HistoryChecker.check(history, new ResourceState(1, List.of(11L, 10L)), KEYS_WITH_TTL, TTL);

		assertThat(verdict.lostUpdates()).isOne();
		assertThat(verdict.violations()).anySatisfy((violation) -> assertThat(violation)
			.isEqualTo("(a) lost update: the counter is 1 after 2 accepted writes"))
			.anySatisfy((violation) -> assertThat(violation).isEqualTo(
					"(a) lost update: accepted write #2 (p1 (token 10)) wrote 1, but the write before it had left 1"));
	}

	@Test
	void writeTheResourceDoesNotHaveButTheClientWasToldWasAcceptedIsFound() {
		History history = history(List.of(accepted("p1", 10, 0, 100, 1), accepted("p2", 11, 200, 300, 2)));

		Verdict verdict = HistoryChecker.check(history, new ResourceState(1, List.of(10L)), KEYS_WITH_TTL, TTL);

		assertThat(verdict.violations()).containsExactly(
				"(a) p2 (token 11) was told its write was accepted, but the resource has no write with its token");
	}

	@Test
	void writeTheResourceAppliedButTheClientWasToldWasRefusedIsFound() {
		History history = history(List.of(accepted("p1", 10, 0, 100, 1),
				accepted("p2", 11, 200, 300, -1).answer(Answer.WRITE_REFUSED)));

		Verdict verdict = HistoryChecker.check(history, new ResourceState(2, List.of(10L, 11L)), KEYS_WITH_TTL, TTL);

		assertThat(verdict.violations())
			.containsExactly("(a) p2 (token 11) was told WRITE_REFUSED, but the resource applied its write");
	}

	@Test
	void acceptedWritesWhoseTokensDoNotIncreaseAreFound() {
		History history = history(List.of(accepted("p1", 11, 0, 100, 1), accepted("p2", 10, 200, 300, 2)));

		Verdict verdict = HistoryChecker.check(history, new ResourceState(2, List.of(11L, 10L)), KEYS_WITH_TTL, TTL);

		assertThat(verdict.violations())
			.containsExactly("(b) accepted write #2 carries token 10, not above the previous accepted write's 11");
	}

	@Test
	void twoLeasesWithTheSameTokenAreFound() {
		History history = history(List.of(accepted("p1", 10, 0, 100, 1),
				accepted("p2", 10, 200, 300, -1).answer(Answer.CLAIM_REFUSED)));

		Verdict verdict = HistoryChecker.check(history, new ResourceState(1, List.of(10L)), KEYS_WITH_TTL, TTL);

		assertThat(verdict.violations()).containsExactly("(b) 2 leases share fencing token 10, held by p1, p2");
	}

	@Test
	void overlappingHoldersNeitherToldOfALossAreFound() {
		History history = history(List.of(accepted("p1", 10, 0, 500, 1), refused("p2", 11, 400, 450)));

		Verdict verdict = HistoryChecker.check(history, new ResourceState(1, List.of(10L)), KEYS_WITH_TTL, TTL);

		assertThat(verdict.overlaps()).isOne();
		assertThat(verdict.violations()).containsExactly("(c) p1 (token 10) held [0ms, 500ms] and p2 (token 11) held "
				+ "[400ms, 450ms] at the same time, and neither was told its lease was lost");
	}

	@ParameterizedTest
	@EnumSource(LossReport.class)
	void overlapIsAllowedWhenOneHolderWasToldOfTheLoss(LossReport report) {
		History history = history(
				List.of(report.apply(accepted("p1", 10, 0, 1500, 1)), accepted("p2", 11, 1100, 1200, 2)));

		Verdict verdict = HistoryChecker.check(history, new ResourceState(2, List.of(10L, 11L)), KEYS_WITH_TTL, TTL);

		assertThat(verdict.violations()).isEmpty();
		assertThat(verdict.overlaps()).isOne();
		assertThat(verdict.lossesReported()).isOne();
	}

	@Test
	void overlapWithAHolderKilledBeforeItWasDoneIsFound() {
		Operation killed = Operation.diedHolding(
				Operation.holdingLine("p1", 10, ms(0), ms(10), Instant.EPOCH), null, ms(500));
		History history = new History(List.of(killed, accepted("p2", 11, 400, 450, 1).build()), List.of(), List.of());

		Verdict verdict = HistoryChecker.check(history, new ResourceState(1, List.of(11L)), KEYS_WITH_TTL, TTL);

		assertThat(verdict.violations()).singleElement()
			.satisfies((violation) -> assertThat(violation).startsWith("(c) p1 (token 10) held [10ms, 500ms]"));
	}

	@Test
	void holderKilledAfterItWasDoneHeldOnlyUntilThen() {
		Operation killed = Operation.diedHolding(
				Operation.holdingLine("p1", 10, ms(0), ms(10), Instant.EPOCH),
				Operation.endingLine("p1", 10, ms(100), Instant.EPOCH), ms(500));
		History history = new History(List.of(killed, accepted("p2", 11, 400, 450, 2).build()), List.of(), List.of());

		Verdict verdict = HistoryChecker.check(history, new ResourceState(2, List.of(10L, 11L)), KEYS_WITH_TTL, TTL);

		assertThat(verdict.violations()).isEmpty();
	}

	@Test
	void noAcquisitionWithinTtlPlusTwoSecondsOfAHealIsFound() {
		History history = history(List.of(accepted("p1", 10, 0, 100, 1), accepted("p2", 11, 3200, 3300, 2)),
				new Fault("SIGSTOP 2000ms", "lock redis", ms(50), ms(150)));

		Verdict verdict = HistoryChecker.check(history, new ResourceState(2, List.of(10L, 11L)), KEYS_WITH_TTL, TTL);

		assertThat(verdict.worstRecovery()).isEqualTo(Duration.ofMillis(3050));
		assertThat(verdict.violations()).containsExactly("(d) after SIGSTOP 2000ms of lock redis healed at 150ms, "
				+ "no process acquired the lock within 3000ms (the next acquisition came after 3050ms)");
	}

	@Test
	void noAcquisitionAtAllAfterAHealIsFound() {
		History history = history(List.of(accepted("p1", 10, 0, 100, 1)),
				new Fault("SIGKILL", "p1", ms(200), ms(200)));

		Verdict verdict = HistoryChecker.check(history, new ResourceState(1, List.of(10L)), KEYS_WITH_TTL, TTL);

		assertThat(verdict.violations())
			.containsExactly("(d) after SIGKILL of p1 healed at 200ms, no process acquired the lock again");
	}

	@Test
	void lockKeyWithoutTtlIsFound() {
		History history = history(List.of(accepted("p1", 10, 0, 100, 1)));
		Map<String, Long> keys = Map.of("lock:{chaos:k}:fencing", 1000L, "lock:{chaos:k}:line", -1L,
				"lock:{chaos:k}", -2L);

		Verdict verdict = HistoryChecker.check(history, new ResourceState(1, List.of(10L)), keys, TTL);

		assertThat(verdict.violations()).containsExactly("(e) lock key lock:{chaos:k}:line has no TTL");
	}

	/** The ways the library tells a holder that its lease was lost. */
	enum LossReport implements UnaryOperator<TestOperation> {

		NOT_HELD_AT_THE_END {
			@Override
			public TestOperation apply(TestOperation op) {
				return op.notHeld();
			}
		},
		RELEASE_THREW_LEASE_LOST {
			@Override
			public TestOperation apply(TestOperation op) {
				return op.release(Release.LOST);
			}
		},
		LISTENER_TOLD {
			@Override
			public TestOperation apply(TestOperation op) {
				return op.lostNotified();
			}
		}

	}

	private static History history(List<TestOperation> operations, Fault... faults) {
		return new History(operations.stream().map(TestOperation::build).toList(), List.of(), List.of(faults));
	}

	private static TestOperation accepted(String process, long token, long acquiredMillis, long endMillis,
			long value) {
		return new TestOperation(process, token, acquiredMillis, endMillis, true, Release.RELEASED, false,
				Answer.ACCEPTED, value);
	}

	private static TestOperation refused(String process, long token, long acquiredMillis, long endMillis) {
		return accepted(process, token, acquiredMillis, endMillis, -1).answer(Answer.CLAIM_REFUSED);
	}

	private static long ms(long millis) {
		return Duration.ofMillis(millis).toNanos();
	}

	/** A completed operation under construction. */
	record TestOperation(String process, long token, long acquiredMillis, long endMillis, boolean held,
			Release release, boolean notified, Answer answer, long value) {

		TestOperation lost() {
			return notHeld().release(Release.LOST).lostNotified();
		}

		TestOperation notHeld() {
			return new TestOperation(this.process, this.token, this.acquiredMillis, this.endMillis, false,
					this.release, this.notified, this.answer, this.value);
		}

		TestOperation release(Release release) {
			return new TestOperation(this.process, this.token, this.acquiredMillis, this.endMillis, this.held,
					release, this.notified, this.answer, this.value);
		}

		TestOperation lostNotified() {
			return new TestOperation(this.process, this.token, this.acquiredMillis, this.endMillis, this.held,
					this.release, true, this.answer, this.value);
		}

		TestOperation answer(Answer answer) {
			return new TestOperation(this.process, this.token, this.acquiredMillis, this.endMillis, this.held,
					this.release, this.notified, answer, this.value);
		}

		Operation build() {
			Instant acquiredAt = Instant.EPOCH.plusMillis(this.acquiredMillis);
			return new Operation(this.process, this.token, ms(this.acquiredMillis), ms(this.acquiredMillis),
					ms(this.endMillis), ms(this.endMillis) + ms(1), acquiredAt,
					Instant.EPOCH.plusMillis(this.endMillis), true, this.held, this.release, this.notified, this.answer,
					this.value);
		}

	}

}
