import { expect } from 'chai';
import { isEditorTempFile, isFunctionSource, isTemplateFile } from '../../../harness/watch/watched-files.js';
import { SaveBatcher, type SaveBatch } from '../../../harness/watch/save-batcher.js';

describe('watch: which saves count', () => {
  it('ignores the files editors write next to the one saved', () => {
    for (const name of ['functions/.iot_api.ts.swp', 'functions/4913', 'functions/iot_api.ts~', 'functions/.#iot_api.ts', 'functions/#iot_api.ts#', 'functions/iot_api.ts___jb_tmp___']) {
      expect(isEditorTempFile(name), name).to.equal(true);
      expect(isFunctionSource(name), name).to.equal(false);
    }
  });

  it('takes sources under functions/ and templates under cloudformation/', () => {
    expect(isFunctionSource('functions/api/query.ts')).to.equal(true);
    expect(isFunctionSource('functions/shared/data.json')).to.equal(true);
    expect(isFunctionSource('functions/types.d.ts')).to.equal(false);
    expect(isFunctionSource('functions/README.md')).to.equal(false);
    expect(isTemplateFile('cloudformation/iot-backend.template')).to.equal(true);
    expect(isTemplateFile('cloudformation/DIFFERENCES.md')).to.equal(false);
  });

  it('joins a burst of saves into one batch timed from its first save', async () => {
    const batches: SaveBatch[] = [];
    const batcher = new SaveBatcher({ quietMs: 20, maxWaitMs: 1000, onBatch: (b) => batches.push(b) });
    batcher.add('functions/a.ts', 100);
    batcher.add('functions/a.ts', 105);
    batcher.add('functions/b.ts', 110);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(batches).to.deep.equal([{ files: ['functions/a.ts', 'functions/b.ts'], firstSavedAt: 100 }]);
    batcher.add('functions/c.ts');
    batcher.cancel();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(batches).to.have.length(1);
  });
});
