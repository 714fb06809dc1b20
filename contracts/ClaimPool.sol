// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// The Groth16 verifier gnark exports for the offer circuit (contract
/// `Verifier`): verifyProof returns nothing and reverts unless the proof is valid.
interface IGroth16OfferVerifier {
    function verifyProof(bytes calldata proof, uint256[9] calldata input) external view;
}

/// The PLONK verifier gnark exports (contract `PlonkVerifier`): Verify reverts
/// on malformed input and returns whether the proof is valid.
interface IPlonkVerifier {
    function Verify(bytes calldata proof, uint256[] calldata publicInputs) external view returns (bool);
}

/// @title ClaimPool: the lowball-offer insurance pool of wageproof, on chain.
/// @notice A member proves, with the `offer` circuit, that a registered employer
/// signed an offer to them below the published benchmark for the offer's
/// currency, role, region and benchmark period, and that the offer had not
/// expired on the check date. The pool learns the benchmark cell, the employer's
/// key hash and a nullifier; never the amount, never who the member is.
/// @dev What the proof cannot know, the pool checks: that the member root and
/// the employer are registered, that the benchmark is the published one for the
/// cell, that the check date is today (UTC, with a grace period), and that the
/// nullifier is unused. The proof does not bind msg.sender: whoever submits a
/// valid proof first records the claim, so payouts must not go to msg.sender
/// blindly (see contracts/README-section.md).
contract ClaimPool {
    /// Positions of the offer circuit's public inputs (circuits/offer.PublicInputs).
    uint256 internal constant BENCHMARK = 0;
    uint256 internal constant CURRENCY = 1;
    uint256 internal constant ROLE = 2;
    uint256 internal constant REGION = 3;
    uint256 internal constant PERIOD = 4;
    uint256 internal constant EMPLOYER_KEY_HASH = 5;
    uint256 internal constant MEMBER_ROOT = 6;
    uint256 internal constant NULLIFIER = 7;
    uint256 internal constant CHECK_DATE = 8;
    uint256 internal constant NUM_INPUTS = 9;

    enum ProofSystem {
        Groth16,
        Plonk
    }

    /// One cell of a benchmark table: label encodings as the circuit takes
    /// them (circuits/codes) and the benchmark amount in whole currency units.
    struct BenchmarkEntry {
        uint256 currency;
        uint256 role;
        uint256 region;
        uint256 period;
        uint64 benchmark;
    }

    /// What the pool keeps of an accepted claim, by nullifier.
    struct Claim {
        address claimant; // who submitted it (not who made the proof)
        uint64 claimedAt; // block timestamp
        uint32 tableVersion; // the benchmark table it was paid against
        uint256 employerKeyHash;
    }

    error NotOwner();
    error NoVerifier();
    error UnknownMemberRoot(uint256 root);
    error UnknownEmployer(uint256 employerKeyHash);
    error BenchmarkMismatch(uint256 claimed, uint256 published);
    error CheckDateOutOfRange(uint256 checkDate);
    error NullifierUsed(uint256 nullifier);
    error InvalidProof();
    error EmptyBenchmark();
    error StaleTable(bytes32 tableHash);

    event Claimed(uint256 indexed nullifier, uint256 indexed employerKeyHash, uint256 benchmark);
    event MemberRootSet(uint256 indexed root, bool accepted);
    event EmployerSet(uint256 indexed employerKeyHash, bool registered);
    event BenchmarksPublished(uint32 indexed version, bytes32 tableHash, uint256 entries);
    event OwnerChanged(address indexed owner);

    address public owner;
    /// The exported verifier of the offer circuit, and which kind it is.
    address public immutable verifier;
    ProofSystem public immutable proofSystem;
    /// How many days before today (UTC) a claim's check date may lie.
    uint32 public immutable graceDays;

    mapping(uint256 => bool) public acceptedRoots;
    mapping(uint256 => bool) public registeredEmployers;

    /// SHA-256 (or any digest the owner publishes) of the benchmark table file,
    /// so anyone can check the registered entries against the published table.
    bytes32 public benchmarkTableHash;
    /// Incremented by every publication: entries of older tables stop counting.
    uint32 public tableVersion;
    /// keccak256(version, currency, role, region, period) => benchmark; 0 is
    /// "no entry" (no offer is below a benchmark of 0).
    mapping(bytes32 => uint64) internal benchmarks;

    mapping(uint256 => Claim) public claims;

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    constructor(address verifier_, ProofSystem proofSystem_, uint32 graceDays_) {
        if (verifier_.code.length == 0) revert NoVerifier();
        owner = msg.sender;
        verifier = verifier_;
        proofSystem = proofSystem_;
        graceDays = graceDays_;
        emit OwnerChanged(msg.sender);
    }

    function setOwner(address owner_) external onlyOwner {
        owner = owner_;
        emit OwnerChanged(owner_);
    }

    /// Accepts (or stops accepting) a member registry root. The owner keeps a
    /// replaced root for a while, so that proofs in flight still land.
    function setMemberRoot(uint256 root, bool accepted) external onlyOwner {
        acceptedRoots[root] = accepted;
        emit MemberRootSet(root, accepted);
    }

    /// Registers (or removes) an employer by its attester registry leaf
    /// H(domain_attester; A.x, A.y).
    function setEmployer(uint256 employerKeyHash, bool registered) external onlyOwner {
        registeredEmployers[employerKeyHash] = registered;
        emit EmployerSet(employerKeyHash, registered);
    }

    /// Publishes a new benchmark table: from now on claims are paid against
    /// these entries only. A table too large for one transaction is continued
    /// with addBenchmarks.
    function publishBenchmarks(bytes32 tableHash, BenchmarkEntry[] calldata entries) external onlyOwner {
        tableVersion += 1;
        benchmarkTableHash = tableHash;
        _register(entries);
        emit BenchmarksPublished(tableVersion, tableHash, entries.length);
    }

    /// Adds entries to the current table; tableHash must name it, so that a
    /// delayed transaction cannot add entries of an old table to a new one.
    function addBenchmarks(bytes32 tableHash, BenchmarkEntry[] calldata entries) external onlyOwner {
        if (tableHash != benchmarkTableHash) revert StaleTable(tableHash);
        _register(entries);
        emit BenchmarksPublished(tableVersion, tableHash, entries.length);
    }

    function _register(BenchmarkEntry[] calldata entries) internal {
        uint32 version = tableVersion;
        for (uint256 i = 0; i < entries.length; i++) {
            BenchmarkEntry calldata e = entries[i];
            if (e.benchmark == 0) revert EmptyBenchmark();
            benchmarks[_cell(version, e.currency, e.role, e.region, e.period)] = e.benchmark;
        }
    }

    /// The current benchmark of a cell, 0 if the table has none.
    function benchmarkOf(uint256 currency, uint256 role, uint256 region, uint256 period)
        external
        view
        returns (uint64)
    {
        return benchmarks[_cell(tableVersion, currency, role, region, period)];
    }

    function _cell(uint32 version, uint256 currency, uint256 role, uint256 region, uint256 period)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(version, currency, role, region, period));
    }

    /// Verifies an offer proof and records the claim. `input` is the offer
    /// circuit's public inputs in order (benchmark, currency, role, region,
    /// period, employer_key_hash, member_root, nullifier, check_date);
    /// `proof` is gnark's MarshalSolidity encoding (`wageproof export calldata`).
    /// The cheap checks run first, so a stale claim costs little gas.
    function claim(bytes calldata proof, uint256[9] calldata input) external {
        uint256 nullifier = input[NULLIFIER];
        if (claims[nullifier].claimant != address(0)) revert NullifierUsed(nullifier);
        if (!acceptedRoots[input[MEMBER_ROOT]]) revert UnknownMemberRoot(input[MEMBER_ROOT]);
        if (!registeredEmployers[input[EMPLOYER_KEY_HASH]]) revert UnknownEmployer(input[EMPLOYER_KEY_HASH]);
        uint32 version = tableVersion;
        uint64 published = benchmarks[_cell(version, input[CURRENCY], input[ROLE], input[REGION], input[PERIOD])];
        if (published == 0 || input[BENCHMARK] != published) revert BenchmarkMismatch(input[BENCHMARK], published);
        _checkDate(input[CHECK_DATE]);
        if (!_verify(proof, input)) revert InvalidProof();

        claims[nullifier] = Claim({
            claimant: msg.sender,
            claimedAt: uint64(block.timestamp),
            tableVersion: version,
            employerKeyHash: input[EMPLOYER_KEY_HASH]
        });
        emit Claimed(nullifier, input[EMPLOYER_KEY_HASH], input[BENCHMARK]);
    }

    function _verify(bytes calldata proof, uint256[9] calldata input) internal view returns (bool) {
        if (proofSystem == ProofSystem.Groth16) {
            try IGroth16OfferVerifier(verifier).verifyProof(proof, input) {
                return true;
            } catch {
                return false;
            }
        }
        uint256[] memory pub = new uint256[](NUM_INPUTS);
        for (uint256 i = 0; i < NUM_INPUTS; i++) {
            pub[i] = input[i];
        }
        try IPlonkVerifier(verifier).Verify(proof, pub) returns (bool ok) {
            return ok;
        } catch {
            return false;
        }
    }

    /// The proof shows that the offer had not expired on the check date; the
    /// pool requires the check date to be today (UTC), up to graceDays before
    /// (a proof takes time to land) or one day after (the member's time zone).
    function _checkDate(uint256 yyyymmdd) internal view {
        (bool ok, uint256 day) = _epochDay(yyyymmdd);
        uint256 today = block.timestamp / 1 days;
        if (!ok || day + graceDays < today || day > today + 1) revert CheckDateOutOfRange(yyyymmdd);
    }

    /// Days since 1970-01-01 of a date written YYYYMMDD (proleptic Gregorian),
    /// and whether it is a real date from 1970 on.
    function _epochDay(uint256 yyyymmdd) internal pure returns (bool, uint256) {
        uint256 y = yyyymmdd / 10000;
        uint256 m = (yyyymmdd / 100) % 100;
        uint256 d = yyyymmdd % 100;
        if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > _daysInMonth(y, m)) return (false, 0);
        // Howard Hinnant's days_from_civil, for years from 1970 (no negatives).
        if (m <= 2) y -= 1;
        uint256 era = y / 400;
        uint256 yoe = y - era * 400;
        uint256 doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        uint256 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return (true, era * 146097 + doe - 719468);
    }

    function _daysInMonth(uint256 y, uint256 m) internal pure returns (uint256) {
        if (m == 2) return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28;
        if (m == 4 || m == 6 || m == 9 || m == 11) return 30;
        return 31;
    }
}
