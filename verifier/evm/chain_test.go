package evm_test

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/node"
)

// chain is a go-ethereum simulated chain with one funded account.
type chain struct {
	tb      testing.TB
	backend *simulated.Backend
	client  simulated.Client
	key     *ecdsa.PrivateKey
	from    common.Address
	chainID *big.Int
}

// txGas is the gas limit of every transaction: enough for a PLONK
// verification, and fixed so that a reverting transaction is still mined
// (gas estimation would fail on it first).
const txGas = 5_000_000

func newChain(tb testing.TB) *chain {
	tb.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		tb.Fatal(err)
	}
	from := crypto.PubkeyToAddress(key.PublicKey)
	b := simulated.NewBackend(types.GenesisAlloc{from: {Balance: new(big.Int).Lsh(big.NewInt(1), 100)}},
		simulated.WithBlockGasLimit(60_000_000), osaka)
	tb.Cleanup(func() { b.Close() })
	id, err := b.Client().ChainID(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return &chain{tb: tb, backend: b, client: b.Client(), key: key, from: from, chainID: id}
}

// osaka runs the simulated chain on the rules of Ethereum mainnet today
// (Osaka). The simulated backend's default dev config also enables forks
// still in development (Amsterdam's state-gas metering, EIP-8037), which
// would price the pool's storage writes several times higher than mainnet.
func osaka(_ *node.Config, eth *ethconfig.Config) {
	cfg := *eth.Genesis.Config
	cfg.AmsterdamTime, cfg.BogotaTime = nil, nil
	eth.Genesis.Config = &cfg
}

// send mines a transaction from the funded account and returns its receipt,
// whatever its status.
func (c *chain) send(to *common.Address, data []byte) *types.Receipt {
	c.tb.Helper()
	ctx := context.Background()
	nonce, err := c.client.PendingNonceAt(ctx, c.from)
	if err != nil {
		c.tb.Fatal(err)
	}
	head, err := c.client.HeaderByNumber(ctx, nil)
	if err != nil {
		c.tb.Fatal(err)
	}
	// The simulated miner ignores transactions tipping under 1 gwei.
	tip := big.NewInt(1_000_000_000)
	feeCap := new(big.Int).Add(new(big.Int).Mul(head.BaseFee, big.NewInt(2)), tip)
	tx, err := types.SignNewTx(c.key, types.LatestSignerForChainID(c.chainID), &types.DynamicFeeTx{
		ChainID: c.chainID, Nonce: nonce, GasTipCap: tip, GasFeeCap: feeCap, Gas: txGas, To: to, Data: data,
	})
	if err != nil {
		c.tb.Fatal(err)
	}
	if err := c.client.SendTransaction(ctx, tx); err != nil {
		c.tb.Fatal(err)
	}
	c.backend.Commit()
	// Receipts appear once the block is indexed: poll.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		r, err := c.client.TransactionReceipt(ctx, tx.Hash())
		if err == nil {
			return r
		}
		if !errors.Is(err, ethereum.NotFound) && !strings.Contains(err.Error(), "indexing") {
			c.tb.Fatal(err)
		}
		if time.Now().After(deadline) {
			c.tb.Fatalf("no receipt for %s: %v", tx.Hash(), err)
		}
	}
}

// deploy creates a contract and returns its address.
func (c *chain) deploy(bin, ctorArgs []byte) common.Address {
	c.tb.Helper()
	r := c.send(nil, append(append([]byte{}, bin...), ctorArgs...))
	if r.Status != types.ReceiptStatusSuccessful {
		c.tb.Fatalf("deployment failed (gas used %d)", r.GasUsed)
	}
	return r.ContractAddress
}

// transact sends a transaction that must succeed and returns its receipt.
func (c *chain) transact(to common.Address, data []byte) *types.Receipt {
	c.tb.Helper()
	r := c.send(&to, data)
	if r.Status != types.ReceiptStatusSuccessful {
		c.tb.Fatalf("transaction to %s reverted (gas used %d): %s", to, r.GasUsed, c.revertReason(to, data))
	}
	return r
}

// revertReason replays a call to explain a failed transaction.
func (c *chain) revertReason(to common.Address, data []byte) string {
	_, err := c.call(c.from, to, data)
	if err == nil {
		return "the call succeeds now"
	}
	return err.Error()
}

// call runs an eth_call on the latest block.
func (c *chain) call(from, to common.Address, data []byte) ([]byte, error) {
	return c.client.CallContract(context.Background(), ethereum.CallMsg{From: from, To: &to, Data: data, Gas: txGas}, nil)
}

// revertData is the data of a reverted call: a custom error's selector and
// arguments. ok is false if err is not a revert.
func revertData(err error) (data []byte, ok bool) {
	var de interface{ ErrorData() interface{} }
	if !errors.As(err, &de) {
		return nil, false
	}
	s, isString := de.ErrorData().(string)
	if !isString {
		return nil, false
	}
	b, decodeErr := hexutil.Decode(s)
	return b, decodeErr == nil
}

// selector is the 4-byte selector of a Solidity function or error signature.
func selector(sig string) []byte { return crypto.Keccak256([]byte(sig))[:4] }

// headDate is the UTC date of the latest block as YYYY-MM-DD.
func (c *chain) headDate() string {
	c.tb.Helper()
	h, err := c.client.HeaderByNumber(context.Background(), nil)
	if err != nil {
		c.tb.Fatal(err)
	}
	return time.Unix(int64(h.Time), 0).UTC().Format(time.DateOnly)
}

func hexPrefix(b []byte) string {
	if len(b) > 4 {
		b = b[:4]
	}
	return fmt.Sprintf("%x", b)
}
