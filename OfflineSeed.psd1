#
# Module manifest for OfflineSeed: offline seeding of multi-terabyte first backups into Azure.
# The cmdlets live in psmodule/; the engine they run is offlineseed-engine (bin/ in a packaged module,
# dist/ after npm run build).
#
@{
    RootModule           = 'psmodule/OfflineSeed.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '429f56f8-41fc-4ad5-a1cf-5fe095629a28'
    Author               = 'OfflineSeed maintainers'
    CompanyName          = 'OfflineSeed'
    Copyright            = '(c) OfflineSeed maintainers. MIT License.'
    Description          = 'Offline seeding of multi-terabyte first backups into Azure: stages a compressed, deduplicated, encrypted restic-compatible repository, ships it on drives through Azure Import/Export or Data Box, then backs up incrementally over the network.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')

    FunctionsToExport    = @(
        'Backup-OfflineSeed'
        'Complete-OfflineSeed'
        'Get-ImportJobStatus'
        'Get-OfflineSeed'
        'Get-OfflineSeedBitLockerKey'
        'Get-OfflineSeedEngineVersion'
        'Get-OfflineSeedProfile'
        'Get-OfflineSeedSnapshot'
        'Initialize-OfflineSeedDrive'
        'New-OfflineSeedCredential'
        'New-OfflineSeedImportJob'
        'Publish-OfflineSeed'
        'Register-OfflineSeedBackupTask'
        'Remove-OfflineSeedImportJob'
        'Restore-OfflineSeed'
        'Set-OfflineSeedProfile'
        'Start-OfflineSeed'
        'Stop-OfflineSeedImportJob'
        'Test-OfflineSeed'
        'Test-OfflineSeedEngine'
        'Test-OfflineSeedPrerequisite'
        'Unregister-OfflineSeedBackupTask'
        'Update-ImportShipping'
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()

    FormatsToProcess     = @('psmodule/OfflineSeed.format.ps1xml')

    FileList             = @(
        'OfflineSeed.psd1'
        'psmodule/OfflineSeed.psm1'
        'psmodule/OfflineSeed.format.ps1xml'
        'psmodule/en-US/about_OfflineSeed.help.txt'
        'psmodule/Private/Add-OfflineSeedAzureAccess.ps1'
        'psmodule/Private/ConvertTo-OfflineSeedBase64Url.ps1'
        'psmodule/Private/ConvertTo-OfflineSeedErrorRecord.ps1'
        'psmodule/Private/ConvertTo-OfflineSeedJsonValue.ps1'
        'psmodule/Private/ConvertTo-OfflineSeedObject.ps1'
        'psmodule/Private/Find-OfflineSeedNode.ps1'
        'psmodule/Private/Get-OfflineSeedClientAssertion.ps1'
        'psmodule/Private/Get-OfflineSeedEventValue.ps1'
        'psmodule/Private/Get-OfflineSeedFileHash.ps1'
        'psmodule/Private/Get-OfflineSeedManifestEngineHash.ps1'
        'psmodule/Private/Invoke-OfflineSeedEngine.ps1'
        'psmodule/Private/Join-OfflineSeedArgument.ps1'
        'psmodule/Private/Protect-OfflineSeedKeyFile.ps1'
        'psmodule/Private/Register-OfflineSeedScheduledTaskXml.ps1'
        'psmodule/Private/Resolve-OfflineSeedEngine.ps1'
        'psmodule/Private/Resolve-OfflineSeedPath.ps1'
        'psmodule/Private/Write-OfflineSeedRequest.ps1'
        'psmodule/Private/Write-OfflineSeedSecureJsonString.ps1'
        'psmodule/Public/Backup-OfflineSeed.ps1'
        'psmodule/Public/Complete-OfflineSeed.ps1'
        'psmodule/Public/Get-ImportJobStatus.ps1'
        'psmodule/Public/Get-OfflineSeed.ps1'
        'psmodule/Public/Get-OfflineSeedBitLockerKey.ps1'
        'psmodule/Public/Get-OfflineSeedEngineVersion.ps1'
        'psmodule/Public/Get-OfflineSeedProfile.ps1'
        'psmodule/Public/Get-OfflineSeedSnapshot.ps1'
        'psmodule/Public/Initialize-OfflineSeedDrive.ps1'
        'psmodule/Public/New-OfflineSeedCredential.ps1'
        'psmodule/Public/New-OfflineSeedImportJob.ps1'
        'psmodule/Public/Publish-OfflineSeed.ps1'
        'psmodule/Public/Register-OfflineSeedBackupTask.ps1'
        'psmodule/Public/Remove-OfflineSeedImportJob.ps1'
        'psmodule/Public/Restore-OfflineSeed.ps1'
        'psmodule/Public/Set-OfflineSeedProfile.ps1'
        'psmodule/Public/Start-OfflineSeed.ps1'
        'psmodule/Public/Test-OfflineSeed.ps1'
        'psmodule/Public/Stop-OfflineSeedImportJob.ps1'
        'psmodule/Public/Test-OfflineSeedEngine.ps1'
        'psmodule/Public/Test-OfflineSeedPrerequisite.ps1'
        'psmodule/Public/Unregister-OfflineSeedBackupTask.ps1'
        'psmodule/Public/Update-ImportShipping.ps1'
        'psmodule/Scripts/Invoke-OfflineSeedScheduledBackup.ps1'
    )

    PrivateData          = @{
        PSData = @{
            Tags         = @('Backup', 'Azure', 'ImportExport', 'DataBox', 'restic', 'OfflineSeeding', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux')
            LicenseUri   = 'https://opensource.org/license/mit'
            # Placeholder until the project has a public home (.example is a reserved name): set it before publishing.
            ProjectUri   = 'https://offlineseed.example/'
            ReleaseNotes = '0.1.0: first cmdlets over the OfflineSeed engine: Start-OfflineSeed (stage), Get-OfflineSeed, Test-OfflineSeed, Restore-OfflineSeed, Get-OfflineSeedSnapshot, and the diagnostics Get-OfflineSeedEngineVersion and Test-OfflineSeedEngine.'
        }
    }
}
