package dev.lockmanager.lock.chaos;

import java.util.List;

/**
 * Everything the clients and the nemesis recorded during one run.
 *
 * @param operations every lease acquired, completed or cut short by the holder's death
 * @param failures every acquisition that did not succeed
 * @param faults every fault injected
 */
record History(List<Operation> operations, List<AcquireFailure> failures, List<Fault> faults) {

	History {
		operations = List.copyOf(operations);
		failures = List.copyOf(failures);
		faults = List.copyOf(faults);
	}

}
