import { execFileSync } from 'child_process';

/**
 * A TCP port on 127.0.0.1 that nothing listens on (found by a child
 * process, so it can be used in synchronous test set-up).
 */
export function freePortSync(): number {
  const script =
    "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})";
  return Number(execFileSync(process.execPath, ['-e', script]).toString());
}
